package dev.conveyor.validation;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Test helper: runs a validation over an in-memory CSV and keeps everything it produced. */
final class Validation {

    final ValidationReport report;
    final List<Long> validRowNumbers;
    final List<List<String>> validRows;
    final String errorReport;

    private Validation(ValidationReport report, List<Long> numbers, List<List<String>> rows, String errorReport) {
        this.report = report;
        this.validRowNumbers = numbers;
        this.validRows = rows;
        this.errorReport = errorReport;
    }

    static Validation run(RuleSet ruleSet, String csv) {
        return run(ruleSet, ValidationOptions.defaults(), csv.getBytes(StandardCharsets.UTF_8));
    }

    static Validation run(RuleSet ruleSet, ValidationOptions options, byte[] csv) {
        List<Long> numbers = new ArrayList<>();
        List<List<String>> rows = new ArrayList<>();
        StringWriter errors = new StringWriter();
        try {
            ValidationReport report = new CsvValidator(ruleSet, options).validate(new ByteArrayInputStream(csv),
                    (n, values) -> {
                        numbers.add(n);
                        rows.add(List.of(values));
                    }, errors, null);
            return new Validation(report, numbers, rows, errors.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Messages of the first errors, in order. */
    List<String> messages() {
        return report.firstErrors().stream().map(RowIssue::message).toList();
    }

    /** The shipped default rule set. */
    static RuleSet defaultRules() {
        return RuleSetRepository.load(null).defaultRuleSet();
    }

    /** A rule set with a single column {@code v} built from {@code rule}. */
    static RuleSet single(ColumnRule.Builder rule) {
        return new RuleSet("test", "test", List.of(rule.build()));
    }
}
