package dev.conveyor.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.conveyor.security.ApiKeys;

/**
 * bench/w0-jobs.sql, the statement bench/run's W0 pre-inserts its noop jobs with, with its psql variables filled in
 * the way bench/run fills them, so a test can run the very text the benchmark runs.
 */
public final class BenchW0Jobs {

    private static final Path FILE = Path.of("bench", "w0-jobs.sql");

    private BenchW0Jobs() {
    }

    /** {@code count} noop jobs of the admin key's tenant, tagged {@code tag}, due {@code dueInSeconds} from now. */
    public static String sql(int count, String tag, int maxAttempts, double dueInSeconds) {
        String text;
        try {
            text = Files.readString(FILE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.replace(":'tag'", literal(tag))
                .replace(":'tenant'", literal("default"))
                .replace(":'submitted_by'", literal(ApiKeys.BOOTSTRAP_KEY_ID))
                .replace(":count", Integer.toString(count))
                .replace(":max_attempts", Integer.toString(maxAttempts))
                .replace(":due_in_seconds", Double.toString(dueInSeconds));
    }

    private static String literal(String text) {
        return "'" + text.replace("'", "''") + "'";
    }
}
