package dev.conveyor.validation;

import java.util.List;

/**
 * The header row lacks columns the rule set requires, or names a column more than once. The message
 * reads like {@code wrong header: missing column(s) price; expected sku,title,price,quantity; found
 * sku,title,cost,quantity}; the parts are also available separately.
 */
public class CsvHeaderException extends CsvFormatException {

    private static final long serialVersionUID = 1L;

    private final List<String> missing;
    private final List<String> duplicated;
    private final List<String> expected;
    private final List<String> found;

    public CsvHeaderException(String message, List<String> missing, List<String> duplicated,
                              List<String> expected, List<String> found) {
        super(message);
        this.missing = List.copyOf(missing);
        this.duplicated = List.copyOf(duplicated);
        this.expected = List.copyOf(expected);
        this.found = List.copyOf(found);
    }

    /** Rule-set columns (as the rule set spells them) absent from the header. */
    public List<String> missing() {
        return missing;
    }

    /** Header names (as the file spells them, trimmed) that occur more than once, case-insensitively. */
    public List<String> duplicated() {
        return duplicated;
    }

    /** The rule set's columns, in rule-set order. */
    public List<String> expected() {
        return expected;
    }

    /** The header names found in the file, trimmed, in file order. */
    public List<String> found() {
        return found;
    }
}
