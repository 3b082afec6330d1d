package dev.conveyor.processors;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
import dev.conveyor.warehouse.WarehouseLoad;
import dev.conveyor.warehouse.WarehouseLoader;
import dev.conveyor.worker.JobContext;
import dev.conveyor.worker.JobProcessor;
import dev.conveyor.worker.PermanentJobException;
import org.springframework.stereotype.Component;

/**
 * {@code warehouse_load}: streams a validated file through its rule set again and upserts its valid rows
 * into {@code warehouse_listings} in one transaction (all or nothing), keyed by marketplace and sku, so a
 * retried load or the same rows under another file never duplicate a row.
 */
@Component
public class WarehouseLoadProcessor implements JobProcessor {

    public static final String TYPE = "warehouse_load";
    private static final List<String> COLUMNS = List.of("sku", "title", "price", "quantity");

    private final RuleSetRepository rules;
    private final DataFiles files;
    private final WarehouseLoader loader;
    private final ValidationOptions options;

    public WarehouseLoadProcessor(RuleSetRepository rules, DataFiles files, WarehouseLoader loader,
                                  ConveyorProperties properties) {
        this.rules = rules;
        this.files = files;
        this.loader = loader;
        this.options = ValidationOptions.defaults().withMaxErrors(0)
                .withProgressInterval(properties.validation().progressEveryRows());
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<String> checkPayload(JsonNode payload) {
        return files.check(payload.get("file").asText()).stream().toList();
    }

    @Override
    public JobOutcome process(JobContext context) throws IOException, SQLException {
        Job job = context.job();
        Path file = files.resolve(context.payload().get("file").asText());
        RuleSet ruleSet = rules.forListing(job.marketplace(), job.category());
        int[] at = columnIndexes(ruleSet);
        long size = Files.size(file);
        long started = System.nanoTime();
        ValidationReport validation;
        LoadReport load;
        try (WarehouseLoad warehouse = loader.begin(job.jobId(), job.marketplace(), job.category(), job.region());
             CountingInputStream in = new CountingInputStream(Files.newInputStream(file))) {
            validation = new CsvValidator(ruleSet, options).validate(in, (row, values) -> {
                try {
                    warehouse.add(values[at[0]], at[1] < 0 ? null : values[at[1]], at[2] < 0 ? null : values[at[2]],
                            at[3] < 0 ? null : values[at[3]]);
                } catch (SQLException e) {
                    throw new IOException("loading row " + row + " failed: " + e.getMessage(), e);
                }
            }, null, rows -> context.progress().report(CountingInputStream.percent(in.count(), size), rows));
            load = warehouse.commit();
        } catch (CsvFormatException e) {
            throw new PermanentJobException(e.getMessage(), e);
        }
        long processingMs = (System.nanoTime() - started) / 1_000_000;
        Map<String, Object> result = new LinkedHashMap<>(load.toMap());
        result.put("total_rows", validation.totalRows());
        result.put("valid_rows", validation.validRows());
        result.put("skipped_invalid_rows", validation.errorRows());
        result.put("payload_size_bytes", size);
        result.put("processing_time_ms", processingMs);
        result.put("rows_per_second", processingMs == 0 ? null : validation.totalRows() * 1000 / processingMs);
        Map<String, Object> metrics = RowMetrics.of(validation, size, processingMs, false);
        return new JobOutcome(JobStatus.SUCCESS, result, null, null, metrics);
    }

    /** Where sku, title, price and quantity sit in the rule set's column order; sku is required. */
    private static int[] columnIndexes(RuleSet ruleSet) {
        List<String> names = ruleSet.columnNames().stream().map(n -> n.toLowerCase(java.util.Locale.ROOT)).toList();
        int[] at = new int[COLUMNS.size()];
        for (int i = 0; i < at.length; i++) {
            at[i] = names.indexOf(COLUMNS.get(i));
        }
        if (at[0] < 0) {
            throw new PermanentJobException("rule set " + ruleSet.name() + " has no sku column, so its rows cannot "
                    + "be loaded into the warehouse (keyed by marketplace and sku)");
        }
        return at;
    }

}
