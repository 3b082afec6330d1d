package dev.conveyor.processors;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.conveyor.validation.ValidationReport;

/** The business metrics of a job that streamed a file through a rule set, for its telemetry event. */
final class RowMetrics {

    private RowMetrics() {
    }

    static Map<String, Object> of(ValidationReport report, long payloadSizeBytes, long processingMs,
                                  boolean withErrorsByField) {
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("payload_size_bytes", payloadSizeBytes);
        metrics.put("processing_time_ms", processingMs);
        metrics.put("total_rows", report.totalRows());
        metrics.put("valid_rows", report.validRows());
        metrics.put("error_rows", report.errorRows());
        metrics.put("warning_rows", report.warningRows());
        if (withErrorsByField) {
            metrics.put("errors_by_field", report.errorsByField());
        }
        metrics.put("error_rate", report.errorRate());
        return metrics;
    }
}
