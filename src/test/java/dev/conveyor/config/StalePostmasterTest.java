package dev.conveyor.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a start finds in {@code <data-dir>/postgres/postmaster.pid} after a hard kill, with stand-in processes
 * instead of a real PostgreSQL: only a process whose command line is {@code .../postgres ... -D <this directory>}
 * is ever signalled.
 */
@Tag("slow") // starts processes, a PostgreSQL server among them
class StalePostmasterTest {

    @TempDir
    Path dir;

    private Process process;

    @AfterEach
    void tearDown() {
        if (process != null) {
            process.destroyForcibly();
        }
    }

    @Test
    void aPidFileWhoseProcessIsGoneIsRemoved() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        assertThat(gone.waitFor(10, TimeUnit.SECONDS)).isTrue();
        writePidFile(gone.pid(), dir);

        new StalePostmaster(dir, Duration.ofSeconds(5)).clear();

        assertThat(dir.resolve("postmaster.pid")).doesNotExist();
    }

    @Test
    void aLivePidThatIsNotOurPostgresIsLeftRunningAndOnlyThePidFileGoes() throws Exception {
        process = new ProcessBuilder("sleep", "60").start();                 // the pid, reused by something else
        writePidFile(process.pid(), dir);

        new StalePostmaster(dir, Duration.ofSeconds(5)).clear();

        assertThat(process.isAlive()).isTrue();
        assertThat(dir.resolve("postmaster.pid")).doesNotExist();
    }

    @Test
    void aPostgresOfAnotherDataDirectoryIsLeftRunning(@TempDir Path other) throws Exception {
        process = fakePostgres(other);                                       // its -D is not ours
        writePidFile(process.pid(), dir);

        new StalePostmaster(dir, Duration.ofSeconds(5)).clear();

        assertThat(process.isAlive()).isTrue();
    }

    @Test
    void thePostgresOfThisDataDirectoryIsStoppedWithSigint() throws Exception {
        process = fakePostgres(dir);
        writePidFile(process.pid(), dir);

        new StalePostmaster(dir, Duration.ofSeconds(20)).clear();

        assertThat(process.isAlive()).isFalse();
        // ended by SIGINT (python re-raises it after KeyboardInterrupt): 128 + 2; SIGKILL would have given 137
        assertThat(process.exitValue()).isEqualTo(130);
    }

    /** A process whose command line reads {@code <tmp>/bin/postgres -c <code> -D <dataDir>}: python, renamed. */
    private Process fakePostgres(Path dataDir) throws Exception {
        Path bin = Files.createDirectories(Files.createTempDirectory("fake-pg").resolve("bin"));
        Path postgres = Files.createSymbolicLink(bin.resolve("postgres"), Path.of(python()));
        // it sets its own SIGINT handler, as PostgreSQL does: python would otherwise keep a SIGINT ignored by whatever
        // started the tests (a shell's background job ignores it) and outlive the 20 s this test gives it
        Process started = new ProcessBuilder(postgres.toString(), "-c",
                "import signal, time\nsignal.signal(signal.SIGINT, signal.default_int_handler)\n"
                        + "print('up', flush=True)\ntime.sleep(60)", "-D", dataDir.toString())
                .redirectErrorStream(true).start();
        // wait until the interpreter runs the code (so SIGINT meets its handler, not a half-started process)
        assertThat(new String(started.getInputStream().readNBytes(3))).isEqualTo("up\n");
        return started;
    }

    private static String python() {
        for (String candidate : List.of("/usr/bin/python3", "/usr/local/bin/python3", "/bin/python3")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        throw new org.opentest4j.TestAbortedException("no python3 to stand in for postgres");
    }

    private static void writePidFile(long pid, Path dataDir) throws Exception {
        Files.writeString(dataDir.resolve("postmaster.pid"),
                pid + "\n" + dataDir.toAbsolutePath() + "\n1796021654\n5433\n/tmp\nlocalhost\n  1  2\nready   \n");
    }
}
