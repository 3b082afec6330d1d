package dev.conveyor.job;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Only the lifecycle writes {@code jobs.status}: the SQL that sets it lives in {@link JobStore} alone, in
 * package-private methods that {@link JobLifecycle} alone calls, each guarded by a {@link JobTransition}.
 *
 * <p>How: a plain text scan of every file under {@code src/main/java} and {@code src/main/resources} for
 * SQL that sets the status of the jobs table — an {@code UPDATE jobs ... SET} whose SET clause (up to its
 * WHERE) assigns {@code status}, or an {@code INSERT INTO jobs (...)} whose column list names {@code status}
 * (a new job takes the column default, QUEUED). Case and line breaks do not matter, so text blocks and
 * concatenated strings on one line are found; SQL assembled from pieces across statements would not be, which
 * is why the scan is backed by the visibility check (the compiler keeps other packages out) and the caller
 * check within the package. Other tables with a status column (job_requests) do not match: the table name
 * must be exactly {@code jobs}.
 */
class OnlyTheLifecycleWritesStatusTest {

    static final Pattern UPDATE_SET = Pattern.compile(
            "\\bUPDATE\\s+jobs\\b(?:\\s+(?:AS\\s+)?\\w+)?\\s+SET\\b((?:(?!\\bWHERE\\b|\"\"\"|;).)*)",
            Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    static final Pattern INSERT_COLUMNS = Pattern.compile("\\bINSERT\\s+INTO\\s+jobs\\s*\\(([^)]*)\\)",
            Pattern.CASE_INSENSITIVE);
    static final Pattern ASSIGNS_STATUS = Pattern.compile("(?<![\\w.])status\\s*=", Pattern.CASE_INSENSITIVE);
    static final Pattern NAMES_STATUS = Pattern.compile("(?<![\\w.])status(?!\\w)", Pattern.CASE_INSENSITIVE);

    static final Path STORE = Path.of("src/main/java/dev/conveyor/job/JobStore.java");
    static final Set<String> STATUS_STATEMENTS = Set.of("claim", "complete", "fail", "scheduleRetry", "deadLetter",
            "handBack", "handBackWaiting", "cancelWaiting", "markCancelled", "requeue", "requeueAll", "cancelWaitingAll");

    @Test
    void theScannerFindsStatusWritesAndNothingElse() {
        assertThat(statusWrites("UPDATE jobs SET status = 'X' WHERE id = 1")).hasSize(1);
        assertThat(statusWrites("update jobs\n   set progress = 0,\n  STATUS=:s\n where status = 'RUNNING'")).hasSize(1);
        assertThat(statusWrites("INSERT INTO jobs (id, status) VALUES (1, 'RUNNING')")).hasSize(1);
        assertThat(statusWrites("UPDATE jobs SET dispatched_at = NULL WHERE status IN ('QUEUED')")).isEmpty();
        assertThat(statusWrites("UPDATE jobs SET cancel_requested = true WHERE status = 'RUNNING'")).isEmpty();
        assertThat(statusWrites("UPDATE job_requests SET status = 'TAKEN' WHERE id = ?")).isEmpty();
        assertThat(statusWrites("INSERT INTO jobs (id, payload) VALUES (1, '{\"status\":1}')")).isEmpty();
    }

    @Test
    void noClassButJobStoreHasSqlThatSetsTheStatusOfAJob() throws IOException {
        List<String> found = new ArrayList<>();
        for (Path root : List.of(Path.of("src/main/java"), Path.of("src/main/resources"))) {
            try (Stream<Path> files = Files.walk(root)) {
                files.filter(Files::isRegularFile).forEach(file -> statusWrites(read(file))
                        .forEach(sql -> found.add(file + ": " + sql)));
            }
        }
        assertThat(found).as("SQL that sets jobs.status").isNotEmpty()
                .allSatisfy(hit -> assertThat(hit).startsWith(STORE + ": "));
        // every one of them is guarded by its transition's sources, one per status-changing statement: a guard
        // that finds the rows, or a check on the rows a set statement found by key
        String store = read(STORE);
        assertThat(found).hasSize(STATUS_STATEMENTS.size());
        assertThat(Pattern.compile("\\.formatted\\(JobTransition\\.\\w+\\.(guard\\(\\)|checkOn\\(\"j\"\\))\\)")
                .matcher(store).results())
                .hasSize(STATUS_STATEMENTS.size());
    }

    @Test
    void theStatementsThatChangeTheStatusAreNotPublicAndOnlyTheLifecycleCallsThem() throws IOException {
        List<String> seen = new ArrayList<>();
        for (Method method : JobStore.class.getDeclaredMethods()) {
            if (STATUS_STATEMENTS.contains(method.getName())) {
                seen.add(method.getName());
                assertThat(Modifier.isPublic(method.getModifiers())).as(method.toString()).isFalse();
            }
        }
        assertThat(seen).containsExactlyInAnyOrderElementsOf(STATUS_STATEMENTS);
        Pattern call = Pattern.compile("\\.(" + String.join("|", STATUS_STATEMENTS) + ")\\(");
        try (Stream<Path> files = Files.list(STORE.getParent())) {
            files.filter(file -> !file.endsWith("JobStore.java") && !file.endsWith("JobLifecycle.java"))
                    .forEach(file -> {
                        Matcher m = call.matcher(read(file));
                        while (m.find()) {
                            // other classes of the package may have methods of these names, but not on a JobStore
                            assertThat(read(file)).as(file + " calls ." + m.group(1) + "(")
                                    .doesNotContain("JobStore");
                        }
                    });
        }
    }

    static List<String> statusWrites(String text) {
        List<String> writes = new ArrayList<>();
        Matcher update = UPDATE_SET.matcher(text);
        while (update.find()) {
            if (ASSIGNS_STATUS.matcher(update.group(1)).find()) {
                writes.add(update.group().replaceAll("\\s+", " ").trim());
            }
        }
        Matcher insert = INSERT_COLUMNS.matcher(text);
        while (insert.find()) {
            if (NAMES_STATUS.matcher(insert.group(1)).find()) {
                writes.add(insert.group().replaceAll("\\s+", " ").trim());
            }
        }
        return writes;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (java.nio.charset.MalformedInputException binary) {
            return "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
