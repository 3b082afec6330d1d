package dev.conveyor.intake;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
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
 * records which report row each of its rows is ({@code batch_replays}), and a replay's own report (its rows still
 * invalid) names them by those rows (CsvValidationProcessor renumbers it), so the next replay may come from either.
 * Any caller (the API, a UI page) goes through {@link #replay}.
 */
@Component
public class InvalidRowsReplay {

    /** The report's key column: which invalid row a corrected row is. */
    static final String ROW = "row";
    /** The jobs' source of a replay: how the row accounting tells a replay from the file's own validation. */
    public static final String REPLAY_SOURCE = CsvValidationProcessor.REPLAY_SOURCE;

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
        // the body is read once it is known which rows it may fix: streamed, checked and written row by row, so
        // a body of any size costs no more memory than the list of its row numbers (each an invalid row, once)
        Replay replay = tx.execute(status -> {
            Batch locked = batches.lockForReplay(batch.batchId());
            refuseUnlessClosed(locked);
            Set<Long> invalid = stillInvalid(locked, validation);
            Path file = newReplayFile(tenantId);
            try {
                List<Long> rows = copyCorrected(body, ruleSet, invalid, file,
                        "rows of the report of " + validation.jobId() + " that no replay of " + locked.batchId()
                                + " fixed yet");
                return submit(locked, validation, rows, file, tenantId, keyId);
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
            // the replay's report numbers its rows as the file's report does (CsvValidationProcessor)
            replayed.removeAll(reportRows(job));
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

    /** A report cell as it was read: SpreadsheetSafe's leading {@code '} before a formula character taken off. */
    static String unprotect(String value) {
        if (value.length() > 1 && value.charAt(0) == '\'' && "=+-@\t\r".indexOf(value.charAt(1)) >= 0) {
            return value.substring(1);
        }
        return value;
    }

    private Path newReplayFile(String tenantId) {
        try {
            return Files.createDirectories(files.uploadsDir(tenantId)).resolve("replay-" + UUID.randomUUID() + ".csv");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("could not make the tenant's uploads/ folder", e);
        }
    }

    /**
     * Reads the corrected rows of the body — UTF-8 CSV (the report's encoding) whose header names {@code row} and
     * the rule set's columns, any other column (the report's {@code errors}) ignored — and writes them to
     * {@code file} as the rule set reads a file: its columns, its delimiter and encoding, one row each. Every row
     * must be one of {@code invalid}, once.
     *
     * @return the report row of each row written, in order
     */
    private List<Long> copyCorrected(InputStream body, RuleSet ruleSet, Set<Long> invalid, Path file, String allowed) {
        FileFormat format = ruleSet.format();
        char delimiter = format.delimiter() == FileFormat.AUTO ? ',' : format.delimiter();
        Charset charset = FileFormat.AUTO_ENCODING.equals(format.encoding()) ? StandardCharsets.UTF_8
                : Charset.forName(format.encoding());
        BoundedBody bounded = new BoundedBody(body, maxBytes);
        List<Long> rows = new ArrayList<>();
        List<String> notInvalid = new ArrayList<>();
        Set<Long> seen = new java.util.HashSet<>();
        try (Reader reader = new java.io.BufferedReader(new java.io.InputStreamReader(bounded,
                     StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                             .onUnmappableCharacter(CodingErrorAction.REPORT)));
             CSVParser parser = CSVFormat.RFC4180.builder().setHeader().setAllowMissingColumnNames(true)
                     .get().parse(withoutBom(reader));
             Writer out = Files.newBufferedWriter(file, charset);
             CSVPrinter printer = new CSVPrinter(out, CSVFormat.RFC4180.builder().setDelimiter(delimiter)
                     .setRecordSeparator('\n').get())) {
            List<String> header = parser.getHeaderNames();
            if (bounded.count == 0) {
                throw ProblemException.unprocessable("the body is empty; send the validation report's rows (GET "
                        + "/jobs/{job_id}/report) with their values corrected, header row included");
            }
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
            printer.printRecord(ruleSet.columnNames());
            List<String> values = new ArrayList<>(ruleSet.columnNames().size());
            for (CSVRecord record : parser) {
                long line = parser.getCurrentLineNumber();
                String key = record.isSet(ROW) ? record.get(ROW).trim() : "";
                if (!key.matches("[1-9][0-9]{0,17}")) {
                    throw ProblemException.unprocessable("line " + line + ": '" + Echo.of(key) + "' in column "
                            + ROW + " is not a row number of the report; keep each row's " + ROW + " as the report "
                            + "gave it");
                }
                long row = Long.parseLong(key);
                values.clear();
                for (String column : ruleSet.columnNames()) {
                    values.add(record.isSet(column) ? unprotect(record.get(column)) : "");
                }
                if (values.stream().allMatch(String::isBlank)) {
                    // a blank row is no row to the validator: it would be skipped, and not counted
                    throw ProblemException.unprocessable("line " + line + ": every value of row " + key + " is "
                            + "empty; give the row its corrected values, or leave the line out");
                }
                if (!invalid.contains(row) || !seen.add(row)) {
                    if (notInvalid.size() < 20) {
                        notInvalid.add("line " + line + " (row " + row + (seen.contains(row) && invalid.contains(row)
                                ? " again)" : ")"));
                    } else if (notInvalid.size() == 20) {
                        notInvalid.add("…");
                    }
                    continue;
                }
                printer.printRecord(values);
                rows.add(row);
            }
        } catch (java.nio.charset.UnmappableCharacterException e) {
            // writing: the body decoded as UTF-8, but the rule set's encoding has no such character
            throw ProblemException.unprocessable("a corrected value has a character the rule set's encoding ("
                    + charset.name() + ") cannot hold; use only characters that encoding has");
        } catch (CharacterCodingException e) {
            throw notUtf8();
        } catch (java.io.UncheckedIOException e) {
            if (e.getCause() instanceof CharacterCodingException) {
                throw notUtf8();
            }
            throw ProblemException.unprocessable("the body is not CSV the report's header fits: "
                    + Echo.of(String.valueOf(e.getCause().getMessage())));
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw ProblemException.unprocessable("the body is not CSV the report's header fits: "
                    + Echo.of(String.valueOf(e.getMessage())));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        if (!notInvalid.isEmpty()) {
            throw ProblemException.unprocessable("these rows are not invalid rows still to replay: "
                    + String.join(", ", notInvalid) + "; send only " + allowed + ", each once, with their " + ROW
                    + " kept");
        }
        if (rows.isEmpty()) {
            throw ProblemException.unprocessable("the body has a header but no rows; send the report's rows with "
                    + "their values corrected");
        }
        return rows;
    }

    private static ProblemException notUtf8() {
        return ProblemException.unprocessable("the body is not UTF-8 text; save the corrected report as CSV UTF-8, "
                + "as it was downloaded");
    }

    /** The reader past a UTF-8 byte order mark, which a spreadsheet may write first. */
    private static Reader withoutBom(Reader reader) throws IOException {
        java.io.PushbackReader pushback = new java.io.PushbackReader(reader, 1);
        int first = pushback.read();
        if (first != -1 && first != '\uFEFF') {
            pushback.unread(first);
        }
        return pushback;
    }

    /** The request body, counted: over the limit it is refused (413) as it is read. */
    private static final class BoundedBody extends java.io.FilterInputStream {
        private final long max;
        long count;

        BoundedBody(InputStream in, long max) {
            super(in);
            this.max = max;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                counted(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                counted(n);
            }
            return n;
        }

        private void counted(int n) {
            count += n;
            if (count > max) {
                throw ProblemException.tooLarge("the body is larger than the limit of " + max + " bytes "
                        + "(conveyor.intake.max-csv-bytes)");
            }
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
    private Replay submit(Batch batch, Job validation, List<Long> rows, Path file, String tenantId,
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
        batches.recordReplay(submission.job().jobId(), batch.batchId(), validation.jobId(), rows);
        return new Replay(batch.batchId(), submission.job().jobId(), rows.size());
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
