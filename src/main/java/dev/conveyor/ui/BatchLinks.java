package dev.conveyor.ui;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.StringJoiner;

import dev.conveyor.job.BatchStatus;

/** The batches list's URLs with their filters: the next page keeps the filters it was shown with. */
final class BatchLinks {

    private BatchLinks() {
    }

    static String list(BatchStatus status, String source, String after) {
        StringJoiner query = new StringJoiner("&", "/ui/batches?", "").setEmptyValue("/ui/batches");
        if (status != null) {
            query.add("status=" + status.name());
        }
        if (source != null) {
            query.add("source=" + URLEncoder.encode(source, StandardCharsets.UTF_8));
        }
        if (after != null) {
            query.add("after=" + URLEncoder.encode(after, StandardCharsets.UTF_8));
        }
        return query.toString();
    }
}
