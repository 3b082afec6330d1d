package dev.conveyor.validation;

import java.util.Locale;

/** The value type a {@link ColumnRule} checks. Written in lower case in rule-set files. */
public enum ColumnType {
    /** Any text (the default). */
    STRING,
    /**
     * A number in plain decimal notation: optional leading {@code +} or {@code -}, at least one digit,
     * optionally a {@code .} followed by at least one digit ({@code 12.50}, {@code 0.01}, {@code -1}).
     * Exponents ({@code 1e3}), thousands separators, a decimal comma, a bare {@code .5} or {@code 12.}
     * are rejected.
     */
    DECIMAL,
    /** Optional leading {@code +} or {@code -} followed by digits only ({@code 0}, {@code 42}, {@code -3}). */
    INTEGER,
    /** One of a fixed list of values ({@code values: [...]}), compared exactly (case-sensitive). */
    ENUM,
    /** The whole value must match a regular expression ({@code pattern: <regex>}). */
    PATTERN;

    /** Parses the lower-case YAML spelling ({@code string}, {@code decimal}, ...), case-insensitively. */
    static ColumnType fromYaml(String text) {
        for (ColumnType type : values()) {
            if (type.name().equalsIgnoreCase(text.trim())) {
                return type;
            }
        }
        throw new IllegalArgumentException("unknown type '" + text + "' (expected one of "
                + String.join(", ", yamlNames()) + ")");
    }

    /** The YAML spelling of this type. */
    public String yamlName() {
        return name().toLowerCase(Locale.ROOT);
    }

    private static String[] yamlNames() {
        ColumnType[] all = values();
        String[] names = new String[all.length];
        for (int i = 0; i < all.length; i++) {
            names[i] = all[i].yamlName();
        }
        return names;
    }
}
