package dev.conveyor.validation;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A named, immutable list of {@link ColumnRule}s. The column order is the order in which a
 * {@link RowSink} receives values and the error report lists columns.
 *
 * @param name    the rule set's name (the file's {@code name:}, by default its key such as
 *                {@code mercado_livre/electronics})
 * @param source  where it was loaded from, for diagnostics (e.g. {@code classpath:rules/default.yaml})
 * @param columns at least one column; names unique case-insensitively
 * @param format  how its files are written (delimiter, encoding, decimal separator, sheet)
 */
public record RuleSet(String name, String source, List<ColumnRule> columns, FileFormat format) {

    /** A rule set for files in the default format (comma or detected delimiter, UTF-8, decimal point). */
    public RuleSet(String name, String source, List<ColumnRule> columns) {
        this(name, source, columns, FileFormat.DEFAULT);
    }

    public RuleSet {
        if (format == null) {
            format = FileFormat.DEFAULT;
        }
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("rule set name must not be blank");
        }
        columns = List.copyOf(columns);
        if (columns.isEmpty()) {
            throw new IllegalArgumentException("a rule set needs at least one column");
        }
        Set<String> seen = new HashSet<>();
        for (ColumnRule column : columns) {
            if (!seen.add(column.name().toLowerCase(Locale.ROOT))) {
                throw new IllegalArgumentException("column '" + column.name() + "' is listed twice");
            }
        }
    }

    /** Column names in rule-set order. */
    public List<String> columnNames() {
        List<String> names = new ArrayList<>(columns.size());
        for (ColumnRule column : columns) {
            names.add(column.name());
        }
        return List.copyOf(names);
    }
}
