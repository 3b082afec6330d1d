package dev.conveyor.processors;

import java.io.BufferedWriter;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveyor.config.ConveyorProperties;
import dev.conveyor.config.WarehouseBuildProperties;
import dev.conveyor.config.WarehouseSpoolProperties;
import dev.conveyor.job.BatchStore;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobOutcome;
import dev.conveyor.job.JobOutcome.FollowUp;
import dev.conveyor.job.JobStatus;
import dev.conveyor.validation.CsvFormatException;
import dev.conveyor.validation.CsvValidator;
import dev.conveyor.validation.RowSink;
import dev.conveyor.validation.RuleSet;
import dev.conveyor.validation.RuleSetRepository;
import dev.conveyor.validation.ValidationOptions;
import dev.conveyor.validation.ValidationReport;
import dev.conveyor.warehouse.RowSpool;
import dev.conveyor.warehouse.WarehouseBuild;
import dev.conveyor.warehouse.WarehouseBuilds;
import dev.conveyor.worker.JobContext;
import dev.conveyor.worker.JobProcessor;
import dev.conveyor.worker.PermanentJobException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * {@code csv_validation}: streams the CSV (inline or a file under the data directory) through the rule set
 * of its marketplace and category, writes the bad rows to an error report, and reports the counts. When it chains a
 * warehouse load, it also leaves the valid rows in a {@link RowSpool} for that load, so the file is parsed once; and
 * when that load would be the tenant's first into the marketplace and the file is big, it streams them into the table
 * the load will attach while it validates ({@link WarehouseBuild}), so that the load has only the attach left to do.
 */
@Component
public class CsvValidationProcessor implements JobProcessor {

    public static final String TYPE = "csv_validation";

    /**
     * The source of a job that replays a batch's corrected invalid rows (POST /batches/{id}/replay-invalid): its report
     * is numbered by the rows of the batch's file, not by its own.
     */
    public static final String REPLAY_SOURCE = "replay";

    private static final Logger log = LoggerFactory.getLogger(CsvValidationProcessor.class);

    private final RuleSetRepository rules;
    private final DataFiles files;
    private final Path reportsDir;
    private final ValidationOptions options;
    private final Path spoolDir;
    private final boolean spoolValidRows;
    private final WarehouseBuilds builds;
    private final long overlapMinBytes;
    private final Duration heartbeat;
    private final BatchStore batches;

    public CsvValidationProcessor(RuleSetRepository rules, DataFiles files, ConveyorProperties properties,
                                  WarehouseSpoolProperties spool, WarehouseBuilds builds,
                                  WarehouseBuildProperties build, BatchStore batches) {
        this.rules = rules;
        this.batches = batches;
        this.files = files;
        this.reportsDir = properties.reportsDir();
        this.spoolDir = WarehouseLoadProcessor.spoolDir(properties);
        this.spoolValidRows = spool.spoolValidRows();
        this.builds = builds;
        this.overlapMinBytes = build.overlapMinBytes();
        // three beats per lease, as WarehouseLoadProcessor's
        this.heartbeat = Duration.ofSeconds(properties.worker().leaseSeconds()).dividedBy(3);
        this.options = optionsOf(properties.validation());
    }

    /** The validator's options as configured under {@code conveyor.validation}, limits included. */
    static ValidationOptions optionsOf(ConveyorProperties.Validation validation) {
        return new ValidationOptions(validation.firstErrors(), validation.progressEveryRows(),
                validation.maxFieldChars(), validation.maxRecordChars(), validation.maxNumberDigits());
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<String> checkPayload(String tenantId, JsonNode payload) {
        List<String> problems = new ArrayList<>();
        if (payload.hasNonNull("file")) {
            files.check(tenantId, payload.get("file").asText()).ifPresent(problems::add);
        } else if (payload.path("load_to_warehouse").asBoolean(false)) {
            problems.add("'load_to_warehouse' needs the rows in a 'file', not inline 'csv'");
        }
        return problems;
    }

    /** The warehouse load that follows a validation asked to load its valid rows, if there are any. */
    private static List<FollowUp> loadOf(JsonNode payload, ValidationReport result) {
        if (!payload.path("load_to_warehouse").asBoolean(false) || result.validRows() == 0) {
            return List.of();
        }
        ObjectNode load = JsonNodeFactory.instance.objectNode();
        for (String field : List.of("marketplace", "category", "region", "file")) {
            if (payload.hasNonNull(field)) {
                load.put(field, payload.get(field).asText());
            }
        }
        if (payload.hasNonNull("load_mode")) {
            load.put("mode", payload.get("load_mode").asText());
        }
        return List.of(new FollowUp(WarehouseLoadProcessor.TYPE, load));
    }

    private WarehouseBuild startBuild(Job job) {
        try {
            return builds.start(job.tenantId(), job.jobId(), job.marketplace(), job.category(), job.region())
                    .orElse(null);
        } catch (SQLException | RuntimeException e) {
            log.warn("{}: could not start building its load's table ({}); its load will copy the rows itself",
                    job.jobId(), e.toString());
            return null;
        }
    }

    /**
     * The build beside a validation, if there is one. It only ever makes the load faster: when it fails, it is given up
     * (rolled back, nothing left) and the validation goes on; the load then copies the spool's rows itself.
     */
    private static final class Overlap implements AutoCloseable {

        private WarehouseBuild build;

        Overlap(WarehouseBuild build) {
            this.build = build;
        }

        void add(String sku, String title, String price, String quantity) {
            if (build == null) {
                return;
            }
            try {
                build.add(sku, title, price, quantity);
            } catch (SQLException | RuntimeException e) {
                giveUp(e);
            }
        }

        void finish() {
            if (build == null) {
                return;
            }
            try {
                build.finish();
            } catch (SQLException | RuntimeException e) {
                giveUp(e);
            }
            build = null;
        }

        private void giveUp(Exception e) {
            log.warn("building the load's table beside the validation failed ({}); its load will copy the rows itself",
                    e.toString());
            build.close();
            build = null;
        }

        @Override
        public void close() {
            if (build != null) {
                build.close();
            }
        }
    }

    @Override
    public JobOutcome process(JobContext context) throws IOException {
        Job job = context.job();
        JsonNode payload = context.payload();
        RuleSet ruleSet = rules.forListing(job.marketplace(), job.category());
        long started = System.nanoTime();
        long size;
        Path file = null;
        byte[] inline = null;
        if (payload.hasNonNull("file")) {
            file = files.resolve(job.tenantId(), payload.get("file").asText());
            size = Files.size(file);
        } else {
            inline = payload.get("csv").asText().getBytes(StandardCharsets.UTF_8);
            size = inline.length;
        }
        Files.createDirectories(reportsDir);
        Path report = reportsDir.resolve(job.jobId() + "-errors.csv");
        ListingColumns columns = ListingColumns.of(ruleSet);
        boolean spooling = spoolValidRows && payload.hasNonNull("file")
                && payload.path("load_to_warehouse").asBoolean(false) && columns.hasSku();
        ValidationReport result;
        try (Writer reportWriter = new BufferedWriter(Files.newBufferedWriter(report, StandardCharsets.UTF_8));
             RowSpool.Writer spool = spooling ? RowSpool.create(spoolDir, job.jobId()) : null;
             Overlap build = new Overlap(spooling && size >= overlapMinBytes ? startBuild(job) : null)) {
            RowSink sink = spool == null ? RowSink.NONE : (row, values) -> {
                String sku = columns.sku(values);
                String title = columns.title(values);
                String price = columns.price(values);
                String quantity = columns.quantity(values);
                spool.add(sku, title, price, quantity);
                build.add(sku, title, price, quantity);
            };
            CsvValidator validator = new CsvValidator(ruleSet, options);
            if (file != null) {
                // CSV text or an .xlsx sheet, by what the bytes are (intake has refused anything else)
                result = TabularFiles.validate(validator, file, size, sink, reportWriter, context.progress());
            } else {
                try (CountingInputStream in = new CountingInputStream(new ByteArrayInputStream(inline))) {
                    result = validator.validate(in, sink, reportWriter,
                            rows -> context.progress().report(CountingInputStream.percent(in.count(), size), rows));
                }
            }
            if (spool != null && result.validRows() > 0) {
                String name = payload.get("file").asText();
                spool.finish(RowSpool.Source.of(name, files.resolve(job.tenantId(), name), ruleSet.name()),
                        new RowSpool.Counts(result.totalRows(), result.validRows(), result.errorRows(),
                                result.warningRows()));
                // the outcome chains a load (valid rows to load): the built table is indexed and committed for it
                // to attach; the index builds have no checkpoints, so the job's lease is kept alive while they run
                try (LeaseKeeper keeper = LeaseKeeper.every(heartbeat, () -> context.progress().report(99))) {
                    build.finish();
                }
            }
        } catch (CsvFormatException | PermanentJobException e) {
            Files.deleteIfExists(report);
            throw e instanceof PermanentJobException p ? p : new PermanentJobException(e.getMessage(), e);
        }
        long processingMs = (System.nanoTime() - started) / 1_000_000;
        String reportUrl = null;
        if (result.errorRows() == 0) {
            Files.deleteIfExists(report);
        } else {
            reportUrl = "/jobs/" + job.jobId() + "/report";
            if (job.batchId() != null && REPLAY_SOURCE.equals(job.source())) {
                Optional<BatchStore.ReplayRows> replay = batches.replay(job.jobId());
                if (replay.isPresent()) {
                    ReplayReportRows.renumber(report, replay.get().rows());
                }
            }
        }
        Map<String, Object> body = new LinkedHashMap<>(result.toMap());
        body.put("payload_size_bytes", size);
        body.put("processing_time_ms", processingMs);
        Map<String, Object> metrics = RowMetrics.of(result, size, processingMs, true);
        if (result.errorRows() == 0) {
            return new JobOutcome(JobStatus.SUCCESS, body, null, null, metrics).withNext(loadOf(payload, result));
        }
        if (result.validRows() > 0) {
            return new JobOutcome(JobStatus.PARTIAL_SUCCESS, body, reportUrl, null, metrics)
                    .withNext(loadOf(payload, result));
        }
        return new JobOutcome(JobStatus.FAILED, body, reportUrl,
                "all " + result.totalRows() + " rows failed validation; see " + reportUrl, metrics);
    }

}
