package dev.conveyor.validation;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Outcome of validating one file. Immutable. Serialises with Jackson to snake_case names
 * ({@code rule_set, total_rows, valid_rows, error_rows, warning_rows, errors_by_field,
 * warnings_by_field, first_errors, error_rate}); {@link #toMap()} gives the same structure as plain maps.
 *
 * <p>Counting: {@code totalRows = validRows + errorRows}; {@code warningRows} is the subset of valid
 * rows that have at least one warning. Blank lines are not rows. {@code errorsByField} counts error
 * findings (a row can have several, at most one per field); {@code warningsByField} counts warning
 * findings of valid rows only. Both maps list fields in rule-set order, {@code _row} last, and only
 * fields with a non-zero count.
 *
 * <p>{@code file_format} says how the file was read (see {@link FormatUsed}: type, delimiter and where it came from,
 * encoding, sheet, decimal separator; null when not known) and {@code advice} holds file-level hints on what to
 * change (e.g. values that look like decimal commas in a file read with a decimal point); both only when present.
 */
@JsonIgnoreProperties(value = "error_rate", allowGetters = true)
public record ValidationReport(
        @JsonProperty("rule_set") String ruleSet,
        @JsonProperty("total_rows") long totalRows,
        @JsonProperty("valid_rows") long validRows,
        @JsonProperty("error_rows") long errorRows,
        @JsonProperty("warning_rows") long warningRows,
        @JsonProperty("errors_by_field") Map<String, Long> errorsByField,
        @JsonProperty("warnings_by_field") Map<String, Long> warningsByField,
        @JsonProperty("first_errors") List<RowIssue> firstErrors,
        @JsonProperty("file_format") @JsonInclude(JsonInclude.Include.NON_NULL) Map<String, Object> fileFormat,
        @JsonProperty("advice") @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> advice) {

    /** A report without the file's format and advice (a load's summary, tests). */
    public ValidationReport(String ruleSet, long totalRows, long validRows, long errorRows, long warningRows,
                            Map<String, Long> errorsByField, Map<String, Long> warningsByField,
                            List<RowIssue> firstErrors) {
        this(ruleSet, totalRows, validRows, errorRows, warningRows, errorsByField, warningsByField, firstErrors,
                null, List.of());
    }

    public ValidationReport {
        advice = advice == null ? List.of() : List.copyOf(advice);
        fileFormat = fileFormat == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(fileFormat));
        errorsByField = Collections.unmodifiableMap(new LinkedHashMap<>(errorsByField));
        warningsByField = Collections.unmodifiableMap(new LinkedHashMap<>(warningsByField));
        firstErrors = List.copyOf(firstErrors);
    }

    /** {@code errorRows / totalRows}, or 0 when there are no rows. */
    @JsonProperty("error_rate")
    public double errorRate() {
        return totalRows == 0 ? 0.0 : (double) errorRows / totalRows;
    }

    /** The report as nested plain maps and lists with snake_case keys (insertion-ordered). */
    public Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("rule_set", ruleSet);
        map.put("total_rows", totalRows);
        map.put("valid_rows", validRows);
        map.put("error_rows", errorRows);
        map.put("warning_rows", warningRows);
        map.put("error_rate", errorRate());
        map.put("errors_by_field", errorsByField);
        map.put("warnings_by_field", warningsByField);
        List<Map<String, Object>> issues = new ArrayList<>(firstErrors.size());
        for (RowIssue issue : firstErrors) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("row", issue.row());
            m.put("line", issue.line());
            m.put("field", issue.field());
            m.put("message", issue.message());
            issues.add(m);
        }
        map.put("first_errors", issues);
        if (fileFormat != null) {
            map.put("file_format", fileFormat);
        }
        if (!advice.isEmpty()) {
            map.put("advice", advice);
        }
        return map;
    }
}
