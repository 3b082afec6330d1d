package dev.conveyor.intake;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringReader;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveyor.config.ConveyorProperties;
import dev.conveyor.job.Batch;
import dev.conveyor.job.BatchStatus;
import dev.conveyor.job.BatchStore;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobStore;
import dev.conveyor.job.Submission;
import dev.conveyor.processors.CsvValidationProcessor;
import dev.conveyor.processors.DataFiles;
import dev.conveyor.queue.DispatchSignal;
import dev.conveyor.validation.FileFormat;
import dev.conveyor.validation.RuleSet;
import dev.conveyor.validation.RuleSetRepository;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * {@code POST /batches/{id}/replay-invalid} (docs/batches.md, "Replaying the invalid rows"): a corrected CSV of a
 * file batch's invalid rows — the validation report's rows with their values fixed, keyed by the report's
 * {@code row} column, its other extra columns ({@code errors}) ignored — is validated and loaded with the batch's
 * rule set as a {@code csv_validation} job of the same batch (source {@code replay}, its load chained as usual).
 * The batch re-opens (RUNNING) in the transaction that submits the job and closes again when the replay's jobs are
 * final, its counts recomputed ({@link RowAccounting}: a replay's valid rows move from rows_invalid to rows_valid).
 *
 * <p>Which rows are still invalid is the validation's report, less the rows earlier replays fixed: each replay
 * records which report row each of its rows is ({@code batch_replays}), so a replay's own report (its rows still
 * invalid) maps back to the rows it was given. Any caller (the API, a UI page) goes through {@link #replay}.
 */
@Component
public class InvalidRowsReplay {

    /** The report's key column: which invalid row a corrected row is. */
    static final String ROW = "row";
    /** The jobs' source of a replay: how the row accounting tells a replay from the file's own validation. */
    public static final String REPLAY_SOURCE = "replay";

    private final BatchStore batches;
    private final JobStore jobs;
    private final JobIntake intake;
    private final RuleSetRepository rules;
    private final DataFiles files;
    private final TransactionTemplate tx;
    private final DispatchSignal dispatchSignal;
    private final ObjectMapper json;
    private final Path reportsDir;
    private final long maxBytes;

    public InvalidRowsReplay(BatchStore batches, JobStore jobs, JobIntake intake, RuleSetRepository rules,
                             DataFiles files, TransactionTemplate tx, DispatchSignal dispatchSignal, ObjectMapper json,
                             ConveyorProperties properties) {
        this.batches = batches;
        this.jobs = jobs;
        this.intake = intake;
        this.rules = rules;
        this.files = files;
        this.tx = tx;
        this.dispatchSignal = dispatchSignal;
        this.json = json;
        this.reportsDir = properties.reportsDir();
        this.maxBytes = properties.intake().maxCsvBytes();
    }

    /** A replay submitted: its job, and how many rows it replays. */
    public record Replay(String batchId, String jobId, int rows) {
    }

    /** One corrected row: the report row it fixes, the line it was on in the request, its values by column. */
    private record Corrected(long row, long line, Map<String, String> values) {
    }

    /**
     * Submits a replay of {@code body}'s corrected rows into the tenant's batch {@code batchId}.
     *
     * @param keyId the API key that asked (recorded as the job's submitter), or null
     * @throws ProblemException 404 for no such batch of the tenant; 409 when the batch is running, cancelled, or
     *                          has no file or no invalid rows left; 422 (or 413) for a body that is not a corrected
     *                          CSV of its invalid rows, naming the lines and what to change
     */
    public Replay replay(String tenantId, String batchId, InputStream body, String keyId) throws IOException {
        Batch batch = batches.find(tenantId, batchId).orElseThrow(() -> ProblemException.notFound("no batch "
                + batchId + " for tenant '" + tenantId + "'; GET /batches lists the tenant's batches"));
        Job validation = fileValidation(batch);
        RuleSet ruleSet = rules.forListing(validation.marketplace(), validation.category());
        List<Corrected> corrected = parse(RequestBodies.readBounded(body, null, maxBytes,
                "conveyor.intake.max-csv-bytes"), ruleSet);
        Replay replay = tx.execute(status -> {
            Batch locked = batches.lockForReplay(batch.batchId());
            refuseUnlessClosed(locked);
            Set<Long> invalid = stillInvalid(locked, validation);
            checkKeys(corrected, invalid, locked, validation);
            Path file = write(tenantId, corrected, ruleSet);
            try {
                return submit(locked, validation, corrected, file, tenantId, keyId);
            } catch (RuntimeException e) {
                // nothing is submitted (the transaction rolls back): the file written for it is no one's
                deleteQuietly(file);
                throw e;
            }
        });
        dispatchSignal.wake();
        return replay;
    }

    /** The batch's own validation (not a replay): what the replay's rows are invalid rows of. */
    private Job fileValidation(Batch batch) {
        return jobs.ofBatch(batch.batchId()).stream()
                .filter(job -> CsvValidationProcessor.TYPE.equals(job.type()) && !REPLAY_SOURCE.equals(job.source()))
                .findFirst()
                .orElseThrow(() -> new ProblemException(409, "Conflict", batch.batchId() + " has no csv_validation "
                        + "job (source " + batch.source() + "): only the invalid rows of a validated file (dropped, "
                        + "uploaded, or validated in a POST /jobs/batch) can be replayed"));
    }

    private static void refuseUnlessClosed(Batch batch) {
        if (batch.status() == BatchStatus.RUNNING) {
            throw new ProblemException(409, "Conflict", batch.batchId() + " is RUNNING (its file, or a replay of "
                    + "it, is still being processed); replay once GET /batches/" + batch.batchId()
                    + " shows it closed");
        }
        if (batch.status() == BatchStatus.CANCELLED) {
            throw new ProblemException(409, "Conflict", batch.batchId() + " was cancelled; drop or upload the file "
                    + "again instead");
        }
    }

    /** The report rows of the validation no replay has fixed yet. */
    private Set<Long> stillInvalid(Batch batch, Job validation) {
        Set<Long> invalid = reportRows(validation);
        for (BatchStore.ReplayRows replay : batches.replaysOf(batch.batchId())) {
            Job job = jobs.find(replay.jobId()).orElse(null);
            if (job == null || !result(job).has("total_rows")) {
                // the replay read nothing (its file could not be parsed): it fixed no row
                continue;
            }
            Set<Long> replayed = new LinkedHashSet<>(replay.rows());
            Set<Long> stillBad = new LinkedHashSet<>();
            for (long row : reportRows(job)) {
                // the replay's report counts its own rows, 1 to n, in the order they were recorded
                if (row >= 1 && row <= replay.rows().size()) {
                    stillBad.add(replay.rows().get((int) row - 1));
                }
            }
            replayed.removeAll(stillBad);
            invalid.removeAll(replayed);
        }
        if (invalid.isEmpty()) {
            throw new ProblemException(409, "Conflict", batch.batchId() + " has no invalid rows left to replay "
                    + "(rows_invalid " + batch.rows().invalid() + ")");
        }
        return invalid;
    }

    /** The {@code row} numbers of a validation's error report; none when it had no invalid rows. */
    private Set<Long> reportRows(Job validation) {
        Set<Long> rows = new LinkedHashSet<>();
        if (result(validation).path("error_rows").asLong() == 0) {
            return rows;
        }
        Path report = reportsDir.resolve(validation.jobId() + "-errors.csv");
        if (!Files.isRegularFile(report)) {
            throw new ProblemException(409, "Conflict", "the report of the invalid rows of " + validation.jobId()
                    + " is no longer kept (conveyor.retention), so its rows cannot be replayed; load the "
                    + "corrected rows as a new file instead");
        }
        try (CSVParser parser = CSVFormat.RFC4180.builder().setHeader().get()
                .parse(Files.newBufferedReader(report, StandardCharsets.UTF_8))) {
            for (CSVRecord record : parser) {
                rows.add(Long.parseLong(record.get(ROW)));
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return rows;
    }

    /**
     * The corrected rows of the body: UTF-8 CSV (the report's encoding) with a header naming {@code row} and the
     * rule set's columns; any other column (the report's {@code errors}) is ignored.
     */
    private List<Corrected> parse(byte[] body, RuleSet ruleSet) throws IOException {
        if (body.length == 0) {
            throw ProblemException.unprocessable("the body is empty; send the validation report's rows (GET "
                    + "/jobs/{job_id}/report) with their values corrected, header row included");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            throw ProblemException.unprocessable("the body is not UTF-8 text; save the corrected report as CSV "
                    + "UTF-8, as it was downloaded");
        }
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        List<Corrected> rows = new ArrayList<>();
        try (Reader reader = new StringReader(text);
             CSVParser parser = CSVFormat.RFC4180.builder().setHeader().setAllowMissingColumnNames(true).get()
                     .parse(reader)) {
            List<String> header = parser.getHeaderNames();
            List<String> missing = new ArrayList<>();
            if (!header.contains(ROW)) {
                missing.add(ROW);
            }
            ruleSet.columnNames().stream().filter(name -> !header.contains(name)).forEach(missing::add);
            if (!missing.isEmpty()) {
                throw ProblemException.unprocessable("the header lacks " + missing + "; it must be the validation "
                        + "report's: " + ROW + "," + String.join(",", ruleSet.columnNames()) + "[,errors] (extra "
                        + "columns are ignored)");
            }
            for (CSVRecord record : parser) {
                long line = record.getParser().getCurrentLineNumber();
                String key = record.isMapped(ROW) && record.isSet(ROW) ? record.get(ROW).trim() : "";
                if (!key.matches("[1-9][0-9]{0,17}")) {
                    throw ProblemException.unprocessable("line " + line + ": '" + Echo.of(key) + "' in column "
                            + ROW + " is not a row number of the report; keep each row's " + ROW + " as the report "
                            + "gave it");
                }
                Map<String, String> values = new HashMap<>();
                for (String column : ruleSet.columnNames()) {
                    values.put(column, record.isSet(column) ? unprotect(record.get(column)) : "");
                }
                if (values.values().stream().allMatch(String::isBlank)) {
                    // a blank row is no row to the validator: it would be skipped, and not counted
                    throw ProblemException.unprocessable("line " + line + ": every value of row " + key + " is "
                            + "empty; give the row its corrected values, or leave the line out");
                }
                rows.add(new Corrected(Long.parseLong(key), line, values));
            }
        } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
            throw ProblemException.unprocessable("the body is not a CSV the report's header fits: "
                    + Echo.of(String.valueOf(e.getMessage())));
        }
        if (rows.isEmpty()) {
            throw ProblemException.unprocessable("the body has a header but no rows; send the report's rows with "
                    + "their values corrected");
        }
        return rows;
    }

    /** A report cell as it was read: SpreadsheetSafe's leading {@code '} before a formula character taken off. */
    static String unprotect(String value) {
        if (value.length() > 1 && value.charAt(0) == '\'' && "=+-@\t\r".indexOf(value.charAt(1)) >= 0) {
            return value.substring(1);
        }
        return value;
    }

    /** Every row must be one of the invalid rows, once: else 422 naming the lines. */
    private static void checkKeys(List<Corrected> corrected, Set<Long> invalid, Batch batch, Job validation) {
        List<String> problems = new ArrayList<>();
        Set<Long> seen = new java.util.HashSet<>();
        for (Corrected row : corrected) {
            if (!invalid.contains(row.row())) {
                problems.add("line " + row.line() + " (row " + row.row() + ")");
            } else if (!seen.add(row.row())) {
                problems.add("line " + row.line() + " (row " + row.row() + " again)");
            }
            if (problems.size() == 20) {
                problems.add("…");
                break;
            }
        }
        if (!problems.isEmpty()) {
            throw ProblemException.unprocessable("these rows are not invalid rows of " + batch.batchId()
                    + " still to replay: " + String.join(", ", problems) + "; send only rows of the report of "
                    + validation.jobId() + " that no replay fixed yet, each once, with their " + ROW + " kept");
        }
    }

    /** The corrected rows as a file the rule set reads: its columns, its delimiter and encoding, one row each. */
    private Path write(String tenantId, List<Corrected> corrected, RuleSet ruleSet) {
        FileFormat format = ruleSet.format();
        char delimiter = format.delimiter() == FileFormat.AUTO ? ',' : format.delimiter();
        Charset charset = FileFormat.AUTO_ENCODING.equals(format.encoding()) ? StandardCharsets.UTF_8
                : Charset.forName(format.encoding());
        CSVFormat csv = CSVFormat.RFC4180.builder().setDelimiter(delimiter).setRecordSeparator('\n').get();
        Path file = null;
        try {
            file = Files.createDirectories(files.uploadsDir(tenantId)).resolve("replay-" + UUID.randomUUID() + ".csv");
            try (Writer out = Files.newBufferedWriter(file, charset); CSVPrinter printer = new CSVPrinter(out, csv)) {
                printer.printRecord(ruleSet.columnNames());
                for (Corrected row : corrected) {
                    List<String> values = new ArrayList<>();
                    ruleSet.columnNames().forEach(column -> values.add(row.values().get(column)));
                    printer.printRecord(values);
                }
            }
            return file;
        } catch (CharacterCodingException e) {
            deleteQuietly(file);
            throw ProblemException.unprocessable("a corrected value has a character the rule set's encoding ("
                    + charset.name() + ") cannot hold; use only characters that encoding has");
        } catch (IOException e) {
            if (file != null) {
                deleteQuietly(file);
            }
            throw new java.io.UncheckedIOException("could not write the replay's rows under uploads/", e);
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // left for conveyor.retention: a file of uploads/ no job names
        }
    }

    /** Re-opens the batch and submits the replay's validation, with which report row each of its rows is. */
    private Replay submit(Batch batch, Job validation, List<Corrected> corrected, Path file, String tenantId,
                          String keyId) {
        JsonNode original = payload(validation);
        ObjectNode payload = json.createObjectNode();
        for (String field : List.of("marketplace", "category", "region")) {
            if (original.hasNonNull(field)) {
                payload.put(field, original.get(field).asText());
            }
        }
        payload.put("file", files.nameOf(tenantId, file));
        if (original.path("load_to_warehouse").asBoolean(false)) {
            payload.put("load_to_warehouse", true);
        }
        batches.reopen(batch.batchId());
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        Submission submission = intake.submitInTransaction(new JobRequest(tenantId, REPLAY_SOURCE,
                CsvValidationProcessor.TYPE, payload, null, null, null, null, null, size).submittedBy(keyId)
                .inBatch(batch.batchId()));
        batches.recordReplay(submission.job().jobId(), batch.batchId(), validation.jobId(),
                corrected.stream().map(Corrected::row).toList());
        return new Replay(batch.batchId(), submission.job().jobId(), corrected.size());
    }

    private JsonNode payload(Job job) {
        return read(job.payloadJson());
    }

    private JsonNode result(Job job) {
        return read(job.resultJson());
    }

    private JsonNode read(String text) {
        if (text == null) {
            return json.createObjectNode();
        }
        try {
            return json.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored job document does not parse", e);
        }
    }
}
