package dev.conveyor.processors;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.conveyor.validation.CsvValidator;
import dev.conveyor.validation.FileKind;
import dev.conveyor.validation.RowSink;
import dev.conveyor.validation.ValidationReport;
import dev.conveyor.validation.XlsxRows;
import dev.conveyor.worker.JobContext;
import dev.conveyor.worker.PermanentJobException;

/** A file to validate, read as what its bytes are: CSV text or an .xlsx sheet; anything else is refused. */
final class TabularFiles {

    private TabularFiles() {
    }

    static ValidationReport validate(CsvValidator validator, Path file, long size, RowSink sink,
                                     Writer reportOrNull, JobContext.ProgressReporter progress) throws IOException {
        FileKind kind = FileKind.of(file);
        if (kind == FileKind.BINARY || kind == FileKind.UTF16) {
            throw new PermanentJobException("file is not valid UTF-8 text: " + kind.refusal());
        }
        if (kind.refusal() != null) {
            throw new PermanentJobException(kind.refusal());
        }
        if (kind == FileKind.XLSX) {
            try (XlsxRows sheet = XlsxRows.open(file, validator.ruleSet().format().sheet())) {
                return validator.validate(sheet, sink, reportOrNull,
                        rows -> progress.report(Math.min(sheet.percent(), 98), rows));
            }
        }
        try (CountingInputStream in = new CountingInputStream(Files.newInputStream(file))) {
            return validator.validate(in, sink, reportOrNull,
                    rows -> progress.report(CountingInputStream.percent(in.count(), size), rows));
        }
    }
}
