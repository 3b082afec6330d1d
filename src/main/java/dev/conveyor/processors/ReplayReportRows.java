package dev.conveyor.processors;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;

/**
 * The error report of a replay of a batch's invalid rows, numbered as the file's own report is. The replay validates
 * a file of the corrected rows only, so its validator numbers them 1 to n; each is put back to the row of the
 * dropped file it stands for, so that the rows still wrong can be corrected and replayed again from this report as
 * from the first one (docs/batches.md), and a person reading it finds the row in the file.
 */
final class ReplayReportRows {

    /** The report's first column, as the validator writes it. */
    static final String ROW = "row";

    private ReplayReportRows() {
    }

    /**
     * Rewrites {@code report} in place (through a file beside it, then a rename), its {@code row} column mapped
     * through {@code fileRows}: replay row {@code i} becomes {@code fileRows.get(i - 1)}. Every other value is kept as
     * written.
     *
     * @throws IllegalStateException if a row number is not one of the replay's (the report is not of this replay)
     */
    static void renumber(Path report, List<Long> fileRows) throws IOException {
        Path renumbered = report.resolveSibling(report.getFileName() + ".renumbered");
        try {
            write(report, renumbered, fileRows);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(renumbered);
            throw e;
        }
        Files.move(renumbered, report, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void write(Path report, Path renumbered, List<Long> fileRows) throws IOException {
        try (Reader in = Files.newBufferedReader(report, StandardCharsets.UTF_8);
             CSVParser parser = CSVFormat.RFC4180.builder().setHeader().get().parse(in);
             Writer out = Files.newBufferedWriter(renumbered, StandardCharsets.UTF_8);
             CSVPrinter printer = new CSVPrinter(out, CSVFormat.RFC4180.builder().setRecordSeparator('\n')
                     .setHeader(parser.getHeaderNames().toArray(String[]::new)).get())) {
            for (CSVRecord record : parser) {
                long row = Long.parseLong(record.get(ROW));
                if (row < 1 || row > fileRows.size()) {
                    throw new IllegalStateException("row " + row + " of " + report + " is not one of the replay's "
                            + fileRows.size() + " rows");
                }
                List<String> values = record.toList();
                values.set(parser.getHeaderMap().get(ROW), String.valueOf(fileRows.get((int) row - 1)));
                printer.printRecord(values);
            }
        }
    }
}
