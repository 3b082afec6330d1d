package dev.conveyor.validation;

import java.math.BigDecimal;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The checks for one column of a {@link RuleSet}. Immutable; build with {@link #builder(String)}.
 * Optional settings are {@code null} when not set.
 *
 * <p>Checks, in order, on the value trimmed of surrounding whitespace: a blank value fails
 * {@code required} and otherwise passes every other check; then the {@link ColumnType type};
 * then the numeric bounds ({@code min}, {@code min-exclusive}, {@code max}, {@code max-exclusive});
 * then {@code max-length} (in Unicode code points). The first failing check is the field's error.
 * A field without error is then checked for warnings: {@code warn-max-length}, {@code warn-pattern}.
 */
public final class ColumnRule {

    private final String name;
    private final boolean required;
    private final boolean optionalHeader;
    private final ColumnType type;
    private final List<String> values;
    private final Set<String> valueSet;
    private final Pattern pattern;
    private final String patternDescription;
    private final BigDecimal min;
    private final BigDecimal minExclusive;
    private final BigDecimal max;
    private final BigDecimal maxExclusive;
    private final Integer maxLength;
    private final Integer warnMaxLength;
    private final Pattern warnPattern;
    private final String warnPatternDescription;

    private ColumnRule(Builder b) {
        this.name = b.name;
        this.required = b.required;
        this.optionalHeader = b.optionalHeader;
        this.type = b.type;
        this.values = b.values == null ? List.of() : List.copyOf(b.values);
        this.valueSet = Set.copyOf(this.values);
        this.pattern = b.pattern;
        this.patternDescription = b.patternDescription;
        this.min = b.min;
        this.minExclusive = b.minExclusive;
        this.max = b.max;
        this.maxExclusive = b.maxExclusive;
        this.maxLength = b.maxLength;
        this.warnMaxLength = b.warnMaxLength;
        this.warnPattern = b.warnPattern;
        this.warnPatternDescription = b.warnPatternDescription;
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** Column name as written in the rule set; header names are matched to it case-insensitively. */
    public String name() {
        return name;
    }

    /** The value must not be blank. */
    public boolean required() {
        return required;
    }

    /** The column may be absent from the header (when present, its values are checked). */
    public boolean optionalHeader() {
        return optionalHeader;
    }

    public ColumnType type() {
        return type;
    }

    /** Allowed values of an {@link ColumnType#ENUM} column, in rule-set order; empty otherwise. */
    public List<String> values() {
        return values;
    }

    boolean allows(String value) {
        return valueSet.contains(value);
    }

    /** Regex of a {@link ColumnType#PATTERN} column (the whole value must match), or null. */
    public Pattern pattern() {
        return pattern;
    }

    /** Human description of {@link #pattern()} used in messages instead of the regex, or null. */
    public String patternDescription() {
        return patternDescription;
    }

    /** Inclusive lower bound (value &gt;= min), or null. */
    public BigDecimal min() {
        return min;
    }

    /** Exclusive lower bound (value &gt; minExclusive), or null. */
    public BigDecimal minExclusive() {
        return minExclusive;
    }

    /** Inclusive upper bound (value &lt;= max), or null. */
    public BigDecimal max() {
        return max;
    }

    /** Exclusive upper bound (value &lt; maxExclusive), or null. */
    public BigDecimal maxExclusive() {
        return maxExclusive;
    }

    /** Longest allowed value in code points, or null. */
    public Integer maxLength() {
        return maxLength;
    }

    /** Values longer than this (in code points) get a warning, or null. */
    public Integer warnMaxLength() {
        return warnMaxLength;
    }

    /** Values not matching this regex (whole value) get a warning, or null. */
    public Pattern warnPattern() {
        return warnPattern;
    }

    /** Human description of {@link #warnPattern()} used in messages instead of the regex, or null. */
    public String warnPatternDescription() {
        return warnPatternDescription;
    }

    boolean hasBounds() {
        return min != null || minExclusive != null || max != null || maxExclusive != null;
    }

    @Override
    public String toString() {
        return "ColumnRule[" + name + ", " + type.yamlName() + (required ? ", required" : "") + "]";
    }

    /** Builds a {@link ColumnRule}; {@link #build()} rejects inconsistent settings with an IllegalArgumentException. */
    public static final class Builder {
        private final String name;
        private boolean required;
        private boolean optionalHeader;
        private ColumnType type;
        private List<String> values;
        private Pattern pattern;
        private String patternDescription;
        private BigDecimal min;
        private BigDecimal minExclusive;
        private BigDecimal max;
        private BigDecimal maxExclusive;
        private Integer maxLength;
        private Integer warnMaxLength;
        private Pattern warnPattern;
        private String warnPatternDescription;

        private Builder(String name) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("column name must not be blank");
            }
            this.name = name.trim();
        }

        public Builder required(boolean value) {
            this.required = value;
            return this;
        }

        public Builder optionalHeader(boolean value) {
            this.optionalHeader = value;
            return this;
        }

        /** Defaults to {@code enum} when values are set, {@code pattern} when a pattern is set, else {@code string}. */
        public Builder type(ColumnType value) {
            this.type = value;
            return this;
        }

        public Builder values(List<String> value) {
            this.values = value;
            return this;
        }

        public Builder pattern(String regex) {
            this.pattern = compile(regex, "pattern");
            return this;
        }

        public Builder patternDescription(String value) {
            this.patternDescription = value;
            return this;
        }

        public Builder min(BigDecimal value) {
            this.min = value;
            return this;
        }

        public Builder minExclusive(BigDecimal value) {
            this.minExclusive = value;
            return this;
        }

        public Builder max(BigDecimal value) {
            this.max = value;
            return this;
        }

        public Builder maxExclusive(BigDecimal value) {
            this.maxExclusive = value;
            return this;
        }

        public Builder maxLength(Integer value) {
            this.maxLength = value;
            return this;
        }

        public Builder warnMaxLength(Integer value) {
            this.warnMaxLength = value;
            return this;
        }

        public Builder warnPattern(String regex) {
            this.warnPattern = compile(regex, "warn-pattern");
            return this;
        }

        public Builder warnPatternDescription(String value) {
            this.warnPatternDescription = value;
            return this;
        }

        public ColumnRule build() {
            if (type == null) {
                type = values != null ? ColumnType.ENUM : pattern != null ? ColumnType.PATTERN : ColumnType.STRING;
            }
            if (type == ColumnType.ENUM) {
                if (values == null || values.isEmpty()) {
                    throw new IllegalArgumentException("type enum needs a non-empty 'values' list");
                }
                Set<String> seen = new HashSet<>();
                for (String v : values) {
                    Objects.requireNonNull(v, "enum value");
                    if (!v.equals(v.trim()) || v.isEmpty()) {
                        throw new IllegalArgumentException("enum value '" + v
                                + "' is blank or has surrounding spaces (values are compared trimmed)");
                    }
                    if (!seen.add(v)) {
                        throw new IllegalArgumentException("enum value '" + v + "' is listed twice");
                    }
                }
            } else if (values != null) {
                throw new IllegalArgumentException("'values' only applies to type enum, not " + type.yamlName());
            }
            if (type == ColumnType.PATTERN && pattern == null) {
                throw new IllegalArgumentException("type pattern needs a 'pattern'");
            }
            if (type != ColumnType.PATTERN && pattern != null) {
                throw new IllegalArgumentException("'pattern' only applies to type pattern, not " + type.yamlName());
            }
            if (patternDescription != null && pattern == null) {
                throw new IllegalArgumentException("'pattern-description' without 'pattern'");
            }
            if (warnPatternDescription != null && warnPattern == null) {
                throw new IllegalArgumentException("'warn-pattern-description' without 'warn-pattern'");
            }
            boolean numeric = type == ColumnType.DECIMAL || type == ColumnType.INTEGER;
            if (!numeric && (min != null || minExclusive != null || max != null || maxExclusive != null)) {
                throw new IllegalArgumentException("min/max bounds only apply to types decimal and integer, not "
                        + type.yamlName());
            }
            if (min != null && minExclusive != null) {
                throw new IllegalArgumentException("set either 'min' or 'min-exclusive', not both");
            }
            if (max != null && maxExclusive != null) {
                throw new IllegalArgumentException("set either 'max' or 'max-exclusive', not both");
            }
            BigDecimal lower = min != null ? min : minExclusive;
            BigDecimal upper = max != null ? max : maxExclusive;
            if (lower != null && upper != null) {
                int cmp = lower.compareTo(upper);
                if (cmp > 0 || (cmp == 0 && (minExclusive != null || maxExclusive != null))) {
                    throw new IllegalArgumentException("no value can satisfy the bounds (lower "
                            + lower.toPlainString() + ", upper " + upper.toPlainString() + ")");
                }
            }
            if (maxLength != null && maxLength <= 0) {
                throw new IllegalArgumentException("'max-length' must be > 0, was " + maxLength);
            }
            if (warnMaxLength != null && warnMaxLength <= 0) {
                throw new IllegalArgumentException("'warn-max-length' must be > 0, was " + warnMaxLength);
            }
            if (maxLength != null && warnMaxLength != null && warnMaxLength >= maxLength) {
                throw new IllegalArgumentException("'warn-max-length' (" + warnMaxLength
                        + ") must be less than 'max-length' (" + maxLength + ")");
            }
            return new ColumnRule(this);
        }

        private static Pattern compile(String regex, String key) {
            if (regex == null) {
                return null;
            }
            try {
                return Pattern.compile(regex);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("'" + key + "' is not a valid regular expression: "
                        + e.getDescription() + " near index " + e.getIndex() + " in " + regex);
            }
        }
    }
}
