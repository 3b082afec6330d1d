package dev.conveyor.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL left behind by a service that was killed (kill -9, OOM killer, power to the JVM cut): the embedded
 * server is a process of its own, so it outlives the JVM and keeps {@code <data-dir>/postgres} (and its port)
 * locked. At start-up this finds it through its {@code postmaster.pid}, checks that the process named there really
 * is a postgres serving exactly this data directory, and stops it the way {@code pg_ctl stop -m fast} would:
 * SIGINT, a bounded wait, SIGKILL only as the last resort. A pid file whose process is gone is removed.
 *
 * <p>The caller must hold the data directory's {@code epg-lock} first: while a live service holds it, the
 * postmaster is that service's and must not be touched.
 */
final class StalePostmaster {

    private static final Logger log = LoggerFactory.getLogger(StalePostmaster.class);

    private final Path dataDirectory;
    private final Duration fastShutdownWait;

    StalePostmaster(Path dataDirectory, Duration fastShutdownWait) {
        this.dataDirectory = dataDirectory.toAbsolutePath().normalize();
        this.fastShutdownWait = fastShutdownWait;
    }

    /** Stops or clears what a killed service left behind; logs one WARN line when it did anything. */
    void clear() throws IOException {
        Path pidFile = dataDirectory.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
        long pid = lines.isEmpty() ? -1 : parsePid(lines.get(0));
        Optional<ProcessHandle> process = pid > 0 ? ProcessHandle.of(pid) : Optional.empty();
        if (process.isEmpty() || !process.get().isAlive()) {
            Files.deleteIfExists(pidFile);
            log.warn("Removed the stale {} (pid {} is no longer running): the previous service did not stop cleanly",
                    pidFile, pid > 0 ? pid : "unreadable");
            return;
        }
        String ours = lines.size() > 1 ? lines.get(1).trim() : "";
        if (!sameDirectory(ours) || !isPostgresOf(process.get())) {
            // The pid was reused by an unrelated process (the postmaster died with the machine or was killed):
            // PostgreSQL would refuse to start while a live process has that pid, so the file must go.
            Files.deleteIfExists(pidFile);
            log.warn("Removed the stale {}: pid {} is running but is not the PostgreSQL of {}, so it was left alone",
                    pidFile, pid, dataDirectory);
            return;
        }
        String how = stop(process.get());
        log.warn("Stopped PostgreSQL pid {} left running on {} by a service that ended without stopping it ({}); "
                + "starting it again", pid, dataDirectory, how);
    }

    private String stop(ProcessHandle postmaster) throws IOException {
        List<ProcessHandle> children = postmaster.descendants().toList();
        signal(postmaster.pid(), "INT");                                     // fast shutdown: roll back, checkpoint, exit
        if (awaitExit(postmaster, fastShutdownWait)) {
            return "fast shutdown";
        }
        postmaster.destroyForcibly();                                        // last resort: crash recovery at the next start
        children.forEach(ProcessHandle::destroyForcibly);
        if (!awaitExit(postmaster, Duration.ofSeconds(10))) {
            throw new IllegalStateException("PostgreSQL pid " + postmaster.pid() + " of " + dataDirectory
                    + " did not exit after SIGINT and SIGKILL; stop it (kill -9 " + postmaster.pid() + ") and start again");
        }
        return "it ignored SIGINT for " + fastShutdownWait.toSeconds() + " s and was killed with SIGKILL";
    }

    private static void signal(long pid, String signal) throws IOException {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0) {
                return;
            }
        } catch (IOException e) {
            log.debug("kill -{} {} failed", signal, pid, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while stopping PostgreSQL pid " + pid, e);
        }
        // no kill(1) at hand: SIGTERM, PostgreSQL's smart shutdown, which ends as soon as the dead service's
        // connections are gone
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
    }

    private static boolean awaitExit(ProcessHandle process, Duration wait) {
        try {
            process.onExit().get(wait.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return !process.isAlive();
        } catch (ExecutionException e) {
            return !process.isAlive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !process.isAlive();
        }
    }

    private boolean sameDirectory(String path) {
        if (path.isEmpty()) {
            return false;
        }
        Path named = Path.of(path).toAbsolutePath().normalize();
        try {
            return named.equals(dataDirectory) || Files.isSameFile(named, dataDirectory);
        } catch (IOException e) {
            return false;
        }
    }

    /** Its command line is {@code .../postgres ... -D <our data directory> ...}, read from /proc or the JDK. */
    private boolean isPostgresOf(ProcessHandle process) {
        List<String> argv = commandLine(process);
        if (argv.isEmpty() || !Path.of(argv.get(0)).getFileName().toString().equals("postgres")) {
            return false;
        }
        for (int i = 1; i < argv.size() - 1; i++) {
            if (argv.get(i).equals("-D") && sameDirectory(argv.get(i + 1))) {
                return true;
            }
        }
        return false;
    }

    private static List<String> commandLine(ProcessHandle process) {
        Path proc = Path.of("/proc", Long.toString(process.pid()), "cmdline");
        try {
            if (Files.isReadable(proc)) {
                String raw = Files.readString(proc, StandardCharsets.UTF_8);
                return Arrays.stream(raw.split("\0")).filter(arg -> !arg.isEmpty()).toList();
            }
        } catch (IOException e) {
            log.debug("could not read {}", proc, e);
        }
        ProcessHandle.Info info = process.info();                           // macOS: no /proc
        if (info.command().isEmpty()) {
            return List.of();
        }
        List<String> argv = new java.util.ArrayList<>();
        argv.add(info.command().get());
        info.arguments().ifPresent(args -> argv.addAll(Arrays.asList(args)));
        return argv;
    }

    private static long parsePid(String line) {
        try {
            return Long.parseLong(line.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
