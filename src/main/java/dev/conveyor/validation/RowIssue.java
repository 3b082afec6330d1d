package dev.conveyor.validation;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One finding on one row.
 *
 * @param row     1-based data-row number (header excluded, blank lines not counted)
 * @param line    1-based physical line in the file where the row starts (the header is line 1 when
 *                the file has no leading blank lines; rows with quoted line breaks span several lines)
 * @param field   the rule-set column name, or {@code _row} for a finding about the whole row
 * @param message human-readable, e.g. {@code price: "abc" is not a decimal}
 */
public record RowIssue(
        @JsonProperty("row") long row,
        @JsonProperty("line") long line,
        @JsonProperty("field") String field,
        @JsonProperty("message") String message) {

    /** Field name used for findings about the row as a whole (wrong number of columns). */
    public static final String ROW_FIELD = "_row";
}
