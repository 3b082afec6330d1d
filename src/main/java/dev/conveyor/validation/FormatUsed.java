package dev.conveyor.validation;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a file was read, for the job's result: {@code csv} or {@code xlsx}; for CSV the delimiter (and whether it
 * was detected from the header or set by the rule set) and the encoding; for xlsx the sheet; the decimal separator
 * in both.
 */
public record FormatUsed(String type, String delimiter, boolean delimiterDetected, String encoding,
                         String decimalSeparator, String thousandsSeparator, String sheet) {

    public Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("type", type);
        if (delimiter != null) {
            map.put("delimiter", delimiter);
            map.put("delimiter_from", delimiterDetected ? "header" : "rule_set");
        }
        if (encoding != null) {
            map.put("encoding", encoding);
        }
        if (sheet != null) {
            map.put("sheet", sheet);
        }
        map.put("decimal_separator", decimalSeparator);
        if (thousandsSeparator != null) {
            map.put("thousands_separator", thousandsSeparator);
        }
        return map;
    }
}
