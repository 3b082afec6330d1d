package dev.conveyor.processors;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.config.ConveyorProperties;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobOutcome;
import dev.conveyor.job.JobStatus;
import dev.conveyor.validation.CsvFormatException;
import dev.conveyor.validation.CsvValidator;
import dev.conveyor.validation.RuleSet;
import dev.conveyor.validation.RuleSetRepository;
import dev.conveyor.validation.ValidationOptions;
import dev.conveyor.validation.ValidationReport;
import dev.conveyor.warehouse.LoadReport;
import dev.conveyor.warehouse.RowSpool;
import dev.conveyor.warehouse.WarehouseBuilds;
import dev.conveyor.warehouse.WarehouseLoad;
import dev.conveyor.warehouse.WarehouseLoader;
import dev.conveyor.worker.JobContext;
import dev.conveyor.worker.JobProcessor;
import dev.conveyor.worker.PermanentJobException;
import org.springframework.stereotype.Component;

/**
 * {@code warehouse_load}: upserts a validated file's valid rows into {@code warehouse_listings} in one transaction (all
 * or nothing), keyed by the job's tenant, marketplace and sku, so a retried load or the same rows under another file
 * never duplicate a row, and a load changes only its own tenant's rows. The rows come from the spool its parent
 * validation left (see {@link RowSpool}) when there is one that fits the file and rule set; otherwise the file is
 * streamed through its rule set again and its valid rows loaded. With {@code "mode": "replace"} the file is the
 * tenant's whole list for its marketplace and category: the rows of that category it does not have are deleted in
 * the same transaction (docs/file-formats.md).
 */
@Component
public class WarehouseLoadProcessor implements JobProcessor {

    public static final String TYPE = "warehouse_load";

    private final RuleSetRepository rules;
    private final DataFiles files;
    private final WarehouseLoader loader;
    private final WarehouseBuilds builds;
    private final ValidationOptions options;
    private final Path spoolDir;
    private final Duration heartbeat;

    public WarehouseLoadProcessor(RuleSetRepository rules, DataFiles files, WarehouseLoader loader,
                                  WarehouseBuilds builds, ConveyorProperties properties) {
        this.rules = rules;
        this.files = files;
        this.loader = loader;
        this.builds = builds;
        // the same limits as the validation, so a file re-read here keeps the rows its validation kept
        this.options = CsvValidationProcessor.optionsOf(properties.validation()).withMaxErrors(0);
        this.spoolDir = spoolDir(properties);
        // three beats per lease: one late beat on a busy machine still leaves the lease standing
        this.heartbeat = Duration.ofSeconds(properties.worker().leaseSeconds()).dividedBy(3);
    }

    /** Where validations leave the valid rows for the loads they chain. */
    static Path spoolDir(ConveyorProperties properties) {
        return properties.dataDir().resolve("spool");
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<String> checkPayload(String tenantId, JsonNode payload) {
        return files.check(tenantId, payload.get("file").asText()).stream().toList();
    }

    @Override
    public JobOutcome process(JobContext context) throws IOException, SQLException {
        Job job = context.job();
        String name = context.payload().get("file").asText();
        Path file = files.resolve(job.tenantId(), name);
        RuleSet ruleSet = rules.forListing(job.marketplace(), job.category());
        ListingColumns columns = ListingColumns.of(ruleSet);
        if (!columns.hasSku()) {
            throw new PermanentJobException("rule set " + ruleSet.name() + " has no sku column, so its rows cannot "
                    + "be loaded into the warehouse (keyed by tenant, marketplace and sku)");
        }
        long size = Files.size(file);
        long started = System.nanoTime();
        Optional<RowSpool> spool = job.parentJobId() == null ? Optional.empty()
                : RowSpool.find(spoolDir, job.parentJobId(), RowSpool.Source.of(name, file, ruleSet.name()));
        // the payload's schema allows only these two words
        WarehouseLoader.Mode mode = "replace".equals(context.payload().path("mode").asText())
                ? WarehouseLoader.Mode.REPLACE : WarehouseLoader.Mode.UPSERT;
        Optional<LoadReport> attached = spool.isPresent() ? attachBuild(context, spool.get()) : Optional.empty();
        Loaded loaded = attached.isPresent() ? new Loaded(attached.get(), spool.get().counts())
                : spool.isPresent() ? loadSpool(context, spool.get(), mode)
                : loadFile(context, file, size, ruleSet, columns, mode);
        LoadReport load = loaded.load();
        RowSpool.Counts counts = loaded.counts();
        long processingMs = (System.nanoTime() - started) / 1_000_000;
        Map<String, Object> result = new LinkedHashMap<>(load.toMap());
        result.put("total_rows", counts.totalRows());
        result.put("valid_rows", counts.validRows());
        result.put("skipped_invalid_rows", counts.errorRows());
        result.put("payload_size_bytes", size);
        result.put("processing_time_ms", processingMs);
        result.put("rows_per_second", processingMs == 0 ? null : counts.totalRows() * 1000 / processingMs);
        result.put("rows_from", attached.isPresent() ? "build" : spool.isPresent() ? "spool" : "file");
        ValidationReport asValidated = new ValidationReport(ruleSet.name(), counts.totalRows(), counts.validRows(),
                counts.errorRows(), counts.warningRows(), Map.of(), Map.of(), List.of());
        Map<String, Object> metrics = RowMetrics.of(asValidated, size, processingMs, false);
        return new JobOutcome(JobStatus.SUCCESS, result, null, null, metrics);
    }

    private record Loaded(LoadReport load, RowSpool.Counts counts) {
    }

    /**
     * The table the parent validation built from the spool's rows while it validated, attached: the tenant's first
     * load into the marketplace, in one short transaction (replace or not: the tenant has no rows there to replace).
     * Empty when there is none that fits, and the spool is loaded as usual.
     */
    private Optional<LoadReport> attachBuild(JobContext context, RowSpool spool) throws SQLException {
        Job job = context.job();
        Optional<LoadReport> attached;
        context.progress().report(99);
        try (LeaseKeeper keeper = LeaseKeeper.every(heartbeat, () -> context.progress().report(99))) {
            attached = builds.attach(job.tenantId(), job.jobId(), job.marketplace(), job.category(), job.region(),
                    job.parentJobId(), spool.rows());
        }
        if (attached.isPresent()) {
            // committed: the spool has done its work, as after loadSpool
            spool.delete();
        }
        return attached;
    }

    /** The rows as the parent validation left them: streamed to the COPY as they are. */
    private Loaded loadSpool(JobContext context, RowSpool spool, WarehouseLoader.Mode mode)
            throws IOException, SQLException {
        Job job = context.job();
        long spoolBytes = Files.size(spool.data());
        LoadReport load;
        try (WarehouseLoad warehouse = loader.begin(job.tenantId(), job.jobId(), job.marketplace(), job.category(),
                job.region(), mode)) {
            warehouse.addSpooled(spool,
                    sent -> context.progress().report(CountingInputStream.percent(sent, spoolBytes)));
            load = commit(context, warehouse);
        }
        // committed: the spool has done its work (a retry of this job would find the rows unchanged without it)
        spool.delete();
        return new Loaded(load, spool.counts());
    }

    /** No spool: the file is validated again as it streams past, and its valid rows are loaded. */
    private Loaded loadFile(JobContext context, Path file, long size, RuleSet ruleSet, ListingColumns columns,
                            WarehouseLoader.Mode mode) throws IOException, SQLException {
        Job job = context.job();
        ValidationReport validation;
        LoadReport load;
        try (WarehouseLoad warehouse = loader.begin(job.tenantId(), job.jobId(), job.marketplace(), job.category(),
                job.region(), mode)) {
            // CSV or an .xlsx sheet; the sink gets canonical values (a decimal comma made plain)
            validation = TabularFiles.validate(new CsvValidator(ruleSet, options), file, size, (row, values) -> {
                try {
                    warehouse.add(columns.sku(values), columns.title(values), columns.price(values),
                            columns.quantity(values));
                } catch (SQLException e) {
                    throw new IOException("loading row " + row + " failed: " + e.getMessage(), e);
                }
            }, null, context.progress());
            load = commit(context, warehouse);
        } catch (CsvFormatException e) {
            throw new PermanentJobException(e.getMessage(), e);
        }
        return new Loaded(load, new RowSpool.Counts(validation.totalRows(), validation.validRows(),
                validation.errorRows(), validation.warningRows()));
    }

    /** The merge has no checkpoints; the job's lease is kept alive while it runs. */
    private LoadReport commit(JobContext context, WarehouseLoad warehouse) throws SQLException {
        context.progress().report(99);
        try (LeaseKeeper keeper = LeaseKeeper.every(heartbeat, () -> context.progress().report(99))) {
            return warehouse.commit();
        }
    }
}
