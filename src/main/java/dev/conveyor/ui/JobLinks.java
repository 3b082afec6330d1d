package dev.conveyor.ui;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.StringJoiner;

import dev.conveyor.job.JobStatus;

/** The jobs list's URLs with their filters, each value encoded: the next page keeps the filters it was shown with. */
final class JobLinks {

    private JobLinks() {
    }

    static String list(JobStatus status, String type, String correlationId, String after) {
        StringJoiner query = new StringJoiner("&", "/ui/jobs?", "").setEmptyValue("/ui/jobs");
        add(query, "status", status == null ? null : status.name());
        add(query, "type", type);
        add(query, "correlation_id", correlationId);
        add(query, "after", after);
        return query.toString();
    }

    private static void add(StringJoiner query, String name, String value) {
        if (value != null) {
            query.add(name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8));
        }
    }
}
