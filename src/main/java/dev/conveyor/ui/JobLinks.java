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
        return list(new JobsPage.Filters(status, type, correlationId, null, null, null), after);
    }

    static String list(JobsPage.Filters filters, String after) {
        StringJoiner query = new StringJoiner("&", "/ui/jobs?", "").setEmptyValue("/ui/jobs");
        add(query, "status", filters.status() == null ? null : filters.status().name());
        add(query, "type", filters.type());
        add(query, "correlation_id", filters.correlationId());
        add(query, "from", filters.from());
        add(query, "to", filters.to());
        add(query, "tenant", filters.tenant());
        add(query, "after", after);
        return query.toString();
    }

    private static void add(StringJoiner query, String name, String value) {
        if (value != null) {
            query.add(name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8));
        }
    }
}
