package dev.conveyor.validation;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigDecimal;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Each per-column rule on its own, through the validator, one value per row. */
class ColumnRuleChecksTest {

    /** Validates a file with header {@code v} and one row per value. */
    private static Validation check(ColumnRule.Builder rule, String... values) {
        StringBuilder csv = new StringBuilder("v\n");
        for (String value : values) {
            csv.append('"').append(value.replace("\"", "\"\"")).append("\"\n");
        }
        return Validation.run(Validation.single(rule), csv.toString());
    }

    private static ColumnRule.Builder v() {
        return ColumnRule.builder("v");
    }

    @Test
    void requiredRejectsBlankButAcceptsAnyText() {
        Validation r = check(v().required(true), "x", " ", "", "0");
        assertThat(r.report.totalRows()).isEqualTo(2);   // "" and " " make all-blank records: skipped
        assertThat(r.report.errorRows()).isZero();

        // with a second column the blank value is a real row
        RuleSet two = new RuleSet("t", "t", List.of(v().required(true).build(), ColumnRule.builder("w").build()));
        Validation r2 = Validation.run(two, "v,w\nx,1\n  ,2\n,3\n");
        assertThat(r2.report.errorRows()).isEqualTo(2);
        assertThat(r2.messages()).containsExactly("v: is required", "v: is required");
        assertThat(r2.report.errorsByField()).containsExactly(java.util.Map.entry("v", 2L));
    }

    @Test
    void blankOptionalValuePassesAllOtherChecks() {
        RuleSet two = new RuleSet("t", "t", List.of(
                v().type(ColumnType.DECIMAL).min(BigDecimal.TEN).build(), ColumnRule.builder("w").build()));
        Validation r = Validation.run(two, "v,w\n,1\n");
        assertThat(r.report.validRows()).isEqualTo(1);
        assertThat(r.validRows).containsExactly(List.of("", "1"));
    }

    @Test
    void decimalAcceptsPlainNotationOnly() {
        Validation ok = check(v().type(ColumnType.DECIMAL), "12.50", "0.01", "-1", "+3", "007", "0",
                "123456789012345678901234567890.123456789");
        assertThat(ok.report.validRows()).isEqualTo(7);
        Validation bad = check(v().type(ColumnType.DECIMAL), "abc", "1e3", ".5", "12.", "1,000", "12,50", "NaN",
                "1 000", "-", "--1", "1.2.3");
        assertThat(bad.report.errorRows()).isEqualTo(11);
        assertThat(bad.messages()).first().isEqualTo("v: \"abc\" is not a decimal");
        assertThat(bad.messages()).contains("v: \"1e3\" is not a decimal", "v: \".5\" is not a decimal");
    }

    @Test
    void integerRejectsFractionsWithTheirOwnMessage() {
        Validation r = check(v().type(ColumnType.INTEGER), "0", "42", "-3", "2.5", "abc", "2.0");
        assertThat(r.report.validRows()).isEqualTo(3);
        assertThat(r.messages()).containsExactly(
                "v: must be an integer (was \"2.5\")",
                "v: \"abc\" is not an integer",
                "v: must be an integer (was \"2.0\")");
    }

    @Test
    void minIsInclusive() {
        Validation r = check(v().type(ColumnType.INTEGER).min(BigDecimal.ZERO), "0", "5", "-1");
        assertThat(r.report.validRows()).isEqualTo(2);
        assertThat(r.messages()).containsExactly("v: must be >= 0 (was -1)");
    }

    @Test
    void minExclusiveIsStrict() {
        Validation r = check(v().type(ColumnType.DECIMAL).minExclusive(BigDecimal.ZERO),
                "0.01", "0", "0.00", "-1.00");
        assertThat(r.report.validRows()).isEqualTo(1);
        assertThat(r.messages()).containsExactly(
                "v: must be > 0 (was 0)", "v: must be > 0 (was 0.00)", "v: must be > 0 (was -1.00)");
    }

    @Test
    void maxAndMaxExclusive() {
        Validation inclusive = check(v().type(ColumnType.DECIMAL).max(new BigDecimal("99.99")),
                "99.99", "99.990", "100", "99.991");
        assertThat(inclusive.report.validRows()).isEqualTo(2);
        assertThat(inclusive.messages()).containsExactly(
                "v: must be <= 99.99 (was 100)", "v: must be <= 99.99 (was 99.991)");
        Validation exclusive = check(v().type(ColumnType.INTEGER).maxExclusive(new BigDecimal("10")), "9", "10");
        assertThat(exclusive.messages()).containsExactly("v: must be < 10 (was 10)");
    }

    @Test
    void boundsWorkBeyondLongRange() {
        Validation r = check(v().type(ColumnType.INTEGER).max(new BigDecimal("99999999999999999999")),
                "99999999999999999999", "100000000000000000000", "-999999999999999999999");
        assertThat(r.report.validRows()).isEqualTo(2);
        assertThat(r.messages()).containsExactly("v: must be <= 99999999999999999999 (was 100000000000000000000)");
    }

    @Test
    void maxLengthCountsCodePoints() {
        Validation r = check(v().maxLength(3), "abc", "😀😀😀", "abcd");
        assertThat(r.report.validRows()).isEqualTo(2);
        assertThat(r.messages()).containsExactly("v: longer than 3 characters (4)");
    }

    @Test
    void enumIsExact() {
        Validation r = check(v().type(ColumnType.ENUM).values(List.of("new", "used")), "new", "used", "New", "old");
        assertThat(r.report.validRows()).isEqualTo(2);
        assertThat(r.messages()).containsExactly(
                "v: \"New\" is not one of new, used", "v: \"old\" is not one of new, used");
    }

    @Test
    void patternMustMatchTheWholeValue() {
        Validation r = check(v().type(ColumnType.PATTERN).pattern("[A-Z]{3}"), "ABC", "ABCD", "xABC");
        assertThat(r.report.validRows()).isEqualTo(1);
        assertThat(r.messages()).containsExactly(
                "v: \"ABCD\" does not match the pattern [A-Z]{3}", "v: \"xABC\" does not match the pattern [A-Z]{3}");
        Validation described = check(v().pattern("[A-Z]{3}").patternDescription("three capitals"), "ab");
        assertThat(described.messages()).containsExactly("v: \"ab\" does not match the expected format (three capitals)");
    }

    @Test
    void warnMaxLengthKeepsTheRowValid() {
        Validation r = check(v().maxLength(10).warnMaxLength(3), "abc", "abcdef", "abcdefghijk");
        assertThat(r.report.validRows()).isEqualTo(2);
        assertThat(r.report.warningRows()).isEqualTo(1);
        assertThat(r.report.warningsByField()).containsExactly(java.util.Map.entry("v", 1L));
        assertThat(r.report.errorRows()).isEqualTo(1);
        assertThat(r.messages()).containsExactly("v: longer than 10 characters (11)");
        assertThat(r.validRows).containsExactly(List.of("abc"), List.of("abcdef"));
    }

    @Test
    void warnPatternKeepsTheRowValid() {
        Validation r = check(v().type(ColumnType.DECIMAL).warnPattern("[0-9]+(\\.[0-9]{1,2})?"), "1.25", "1.255");
        assertThat(r.report.validRows()).isEqualTo(2);
        assertThat(r.report.warningRows()).isEqualTo(1);
        assertThat(r.report.errorRows()).isZero();
        assertThat(r.report.warningsByField()).containsEntry("v", 1L);
    }

    @Test
    void warningsOfErrorRowsAreNotCounted() {
        RuleSet two = new RuleSet("t", "t", List.of(v().warnMaxLength(2).build(),
                ColumnRule.builder("w").type(ColumnType.INTEGER).build()));
        Validation r = Validation.run(two, "v,w\nabcdef,x\n");
        assertThat(r.report.errorRows()).isEqualTo(1);
        assertThat(r.report.warningRows()).isZero();
        assertThat(r.report.warningsByField()).isEmpty();
    }

    @Test
    void valuesAreTrimmedBeforeChecksAndForTheSink() {
        Validation r = check(v().type(ColumnType.INTEGER).min(BigDecimal.ZERO), "  7 ");
        assertThat(r.report.validRows()).isEqualTo(1);
        assertThat(r.validRows).containsExactly(List.of("7"));
    }

    @Test
    void longValuesAreCutInMessages() {
        String value = "x".repeat(200);
        Validation r = check(v().type(ColumnType.DECIMAL), value);
        assertThat(r.messages().get(0)).isEqualTo("v: \"" + "x".repeat(47) + "...\" is not a decimal");
    }

    @ParameterizedTest
    @ValueSource(strings = {"enum-without-values", "values-on-decimal", "pattern-type-without-pattern",
            "bounds-on-string", "min-and-min-exclusive", "empty-range", "warn-not-below-max", "bad-regex"})
    void builderRejectsInconsistentRules(String which) {
        assertThatThrownBy(() -> {
            switch (which) {
                case "enum-without-values" -> v().type(ColumnType.ENUM).build();
                case "values-on-decimal" -> v().type(ColumnType.DECIMAL).values(List.of("a")).build();
                case "pattern-type-without-pattern" -> v().type(ColumnType.PATTERN).build();
                case "bounds-on-string" -> v().min(BigDecimal.ONE).build();
                case "min-and-min-exclusive" -> v().type(ColumnType.DECIMAL).min(BigDecimal.ONE)
                        .minExclusive(BigDecimal.ONE).build();
                case "empty-range" -> v().type(ColumnType.DECIMAL).minExclusive(BigDecimal.ONE)
                        .max(BigDecimal.ONE).build();
                case "warn-not-below-max" -> v().maxLength(5).warnMaxLength(5).build();
                case "bad-regex" -> v().pattern("[a-").build();
                default -> throw new AssertionError(which);
            }
        }).isInstanceOf(IllegalArgumentException.class);
    }
}
