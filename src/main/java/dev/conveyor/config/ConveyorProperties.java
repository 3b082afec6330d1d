package dev.conveyor.config;

import java.nio.file.Path;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;

/**
 * The settings under {@code conveyor:} in application.yaml that are not of a concern with a record of its own
 * ({@link QueueProperties}, {@link EnrichProperties}, {@link TelemetryProperties}, {@link MetricsProperties},
 * {@link WarehouseSpoolProperties}, security's and the event store's). Every default is in application.yaml, none
 * here (docs/configuration.md says why); a bare {@code @DefaultValue} only makes an absent group or list empty.
 * Checked at start ({@link #validate}).
 */
@ConfigurationProperties("conveyor")
public record ConveyorProperties(
        Path dataDir,
        // null (SCHEMAS_DIR unset): the schemas packaged in the jar (PayloadSchemas, EventSchemas)
        Path schemasDir,
        String defaultTenant,
        String instanceId,
        @DefaultValue Db db,
        @DefaultValue Intake intake,
        @DefaultValue Dispatcher dispatcher,
        @DefaultValue Worker worker,
        @DefaultValue Routing routing,
        @DefaultValue Validation validation,
        @DefaultValue Inbox inbox,
        @DefaultValue Sql sql,
        @DefaultValue Warehouse warehouse,
        @DefaultValue BulkImport bulkImport,
        @DefaultValue Retention retention,
        @DefaultValue Retry retry,
        @DefaultValue java.util.Map<String, TypeLimits> limits,
        @DefaultValue Bench bench) implements Validator {

    public record Db(
            String url,
            String user,
            String password,
            String schema,
            int poolSize,
            int embeddedPort,
            int minIdle,
            long idleTimeoutMs,
            int batchMaxRows,
            long batchLingerMs,
            int batchWriters,
            boolean embeddedFast) {

        public boolean embedded() {
            return url == null || url.isBlank();
        }
    }

    public record Intake(
            long maxJsonBytes,
            long maxCsvBytes,
            int maxBatch,
            long maxBatchBytes) {
    }

    public record Dispatcher(
            int batchSize,
            long pollIntervalMs,
            long redispatchAfterSeconds,
            int maxInMemoryBacklog,
            int minSetMs) {
    }

    public record Worker(
            long leaseSeconds,
            int maxAttempts,
            long reaperPeriodMs,
            java.time.Duration timeLimit,
            long heartbeatIntervalMs,
            long setHandBackAfterMs) {
    }

    /**
     * Backoff between attempts: initial × multiplier^(attempt−1), capped at max, with jitter; per job type
     * overrides under {@code types.<type>} (any field left out falls back to the global one).
     */
    public record Retry(
            java.time.Duration backoffInitial,
            double backoffMultiplier,
            java.time.Duration backoffMax,
            @DefaultValue java.util.Map<String, TypeRetry> types) {
    }

    public record TypeRetry(Integer maxAttempts, java.time.Duration backoffInitial, Double backoffMultiplier,
                            java.time.Duration backoffMax, java.time.Duration timeLimit, Boolean timeLimitRetries) {
    }

    /** {@code conveyor.limits.<type>}: the per-key limits of one job type (docs/operations.md, "Per-key limits"). */
    public record TypeLimits(Concurrency concurrency, Rate rate) {
    }

    /**
     * At most {@code max} jobs of the type run at once per value of {@code key}: {@code tenant} (the job's tenant) or
     * the name of a top-level field of the payload ({@code marketplace}).
     */
    public record Concurrency(String key, int max) {
    }

    /**
     * At most {@code perSecond} jobs of the type start a second per value of {@code key}, with up to {@code burst}
     * saved up (a token bucket per key, shared by every instance).
     */
    public record Rate(String key, double perSecond, int burst) {
    }

    public record Routing(
            String defaultLane,
            @DefaultValue List<LaneRule> rules) {
    }

    /** One content-based-router rule: every condition given must hold for the job to take {@code lane}. */
    public record LaneRule(
            String lane,
            List<String> types,
            String priority,
            Long minPayloadBytes) {
    }

    /**
     * Validation tuning and the reading limits: the longest field and row read (characters), and the most digits
     * of a decimal or integer value; each refuses a row before it can cost memory or CPU out of proportion.
     */
    public record Validation(
            String rulesDir,
            int firstErrors,
            int progressEveryRows,
            int maxFieldChars,
            int maxRecordChars,
            int maxNumberDigits) {
    }

    /** The watched folder: {@code <dir>/<marketplace>/<category>[/<region>]/<name>.csv}. */
    public record Inbox(
            Path dir,
            boolean enabled,
            long settleMs,
            long pollMs,
            boolean loadToWarehouse,
            long maxFileBytes,
            String tenant,
            long orphanAfterMs,
            long orphanCheckMs,
            Duplicates duplicates) {

        /**
         * What the inbox does with a file whose content (SHA-256) an earlier successful batch of the same folder
         * had: {@code SKIP} it into {@code .done/} with a reason naming that batch, or {@code REPROCESS} it.
         */
        public enum Duplicates {
            SKIP, REPROCESS
        }
    }

    /** The job_requests table other systems insert into. */
    public record Sql(
            boolean enabled,
            long pollMs,
            int batchSize) {
    }

    public record Warehouse(
            int copyBufferRows) {
    }

    /**
     * Where bulk_import may fetch files from. Remote import is off until {@code allowedHosts} names hosts: a job's
     * URL could otherwise make the service fetch from anything it can reach (its own actuator, cloud metadata, the
     * internal network). {@code allowedAddresses} (CIDRs) lets through addresses of the private, loopback and other
     * internal classes that are otherwise refused whatever the host name. {@code allowedDir}: a local directory, empty
     * for none.
     */
    public record BulkImport(
            String allowedDir,
            @DefaultValue List<String> allowedHosts,
            @DefaultValue List<String> allowedAddresses,
            long maxBytes,
            java.time.Duration timeout,
            long connectTimeoutMs,
            long readTimeoutMs) {
    }

    /** How long the files of finished jobs (uploads, imports, error reports) are kept. */
    public record Retention(
            int days,
            long periodMs,
            int batchSize) {
    }

    /**
     * What only benchmarks and tests switch on. {@code noopJobs}: the {@code noop} job type, which does nothing and
     * succeeds, so that bench/run's W0 measures the job core (claim, finish, events) and nothing else; off, the type
     * does not exist and a {@code noop} job is refused like any unknown type.
     */
    public record Bench(
            boolean noopJobs) {
    }

    /** Names this process in {@code jobs.claimed_by}; defaults to host name, process id and a random tag. */
    public ConveyorProperties {
        if (instanceId == null || instanceId.isBlank()) {
            instanceId = defaultInstanceId();
        }
    }

    private static String defaultInstanceId() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            host = "localhost";
        }
        return host + "-" + ProcessHandle.current().pid() + "-"
                + java.util.UUID.randomUUID().toString().substring(0, 4);
    }

    @Override
    public boolean supports(Class<?> type) {
        return ConveyorProperties.class.isAssignableFrom(type);
    }

    /** The bounds of each setting; a value outside them stops the start (docs/configuration.md). */
    @Override
    public void validate(Object target, Errors errors) {
        ConveyorProperties p = (ConveyorProperties) target;
        Checks check = new Checks(errors)
                .present("dataDir", p.dataDir)
                .holds("defaultTenant", p.defaultTenant, p.defaultTenant != null && !p.defaultTenant.isBlank(),
                        "must not be empty");
        check.atLeast("db.poolSize", p.db.poolSize, 1)
                .between("db.minIdle", p.db.minIdle, 0, p.db.poolSize)
                .atLeast("db.idleTimeoutMs", p.db.idleTimeoutMs, 10_000)
                .atLeast("db.batchMaxRows", p.db.batchMaxRows, 1)
                .atLeast("db.batchLingerMs", p.db.batchLingerMs, 0)
                .atLeast("db.batchWriters", p.db.batchWriters, 1)
                .between("db.embeddedPort", p.db.embeddedPort, 0, 65_535);
        check.atLeast("intake.maxJsonBytes", p.intake.maxJsonBytes, 1)
                .atLeast("intake.maxCsvBytes", p.intake.maxCsvBytes, 1)
                .atLeast("intake.maxBatch", p.intake.maxBatch, 1)
                .atLeast("intake.maxBatchBytes", p.intake.maxBatchBytes, 1);
        check.atLeast("dispatcher.batchSize", p.dispatcher.batchSize, 1)
                .atLeast("dispatcher.pollIntervalMs", p.dispatcher.pollIntervalMs, 1)
                .atLeast("dispatcher.redispatchAfterSeconds", p.dispatcher.redispatchAfterSeconds, 1)
                .atLeast("dispatcher.maxInMemoryBacklog", p.dispatcher.maxInMemoryBacklog, 1)
                .atLeast("dispatcher.minSetMs", p.dispatcher.minSetMs, 0);
        check.atLeast("worker.leaseSeconds", p.worker.leaseSeconds, 1)
                .atLeast("worker.maxAttempts", p.worker.maxAttempts, 1)
                .atLeast("worker.reaperPeriodMs", p.worker.reaperPeriodMs, 1)
                .positive("worker.timeLimit", p.worker.timeLimit)
                .atLeast("worker.heartbeatIntervalMs", p.worker.heartbeatIntervalMs, 1)
                .atLeast("worker.setHandBackAfterMs", p.worker.setHandBackAfterMs, 1);
        check.positive("retry.backoffInitial", p.retry.backoffInitial)
                .between("retry.backoffMultiplier", p.retry.backoffMultiplier, 1, 1000)
                .positive("retry.backoffMax", p.retry.backoffMax);
        p.limits.forEach((type, limits) -> {
            String at = "limits[" + type + "].";
            Concurrency concurrency = limits.concurrency();
            Rate rate = limits.rate();
            check.holds(at + "concurrency", concurrency, concurrency != null || rate != null,
                    "or rate must be given: concurrency {key, max}, rate {key, per-second, burst}");
            if (rate != null) {
                check.holds(at + "rate.key", rate.key(), rate.key() != null
                                && rate.key().matches("[A-Za-z_][A-Za-z0-9_]{0,62}"),
                        "must be 'tenant' or the name of a top-level payload field (letters, digits, '_')")
                        .holds(at + "rate.perSecond", rate.perSecond(), rate.perSecond() > 0, "must be above 0")
                        .atLeast(at + "rate.burst", rate.burst(), 1);
            }
            if (concurrency != null) {
                check.holds(at + "concurrency.key", concurrency.key(), concurrency.key() != null
                                && concurrency.key().matches("[A-Za-z_][A-Za-z0-9_]{0,62}"),
                        "must be 'tenant' or the name of a top-level payload field (letters, digits, '_')")
                        .atLeast(at + "concurrency.max", concurrency.max(), 1);
            }
        });
        p.retry.types.forEach((type, retry) -> {
            String at = "retry.types[" + type + "].";
            if (retry.maxAttempts() != null) {
                check.atLeast(at + "maxAttempts", retry.maxAttempts(), 1);
            }
            if (retry.backoffMultiplier() != null) {
                check.between(at + "backoffMultiplier", retry.backoffMultiplier(), 1, 1000);
            }
            if (retry.backoffInitial() != null) {
                check.positive(at + "backoffInitial", retry.backoffInitial());
            }
            if (retry.backoffMax() != null) {
                check.positive(at + "backoffMax", retry.backoffMax());
            }
            if (retry.timeLimit() != null) {
                check.positive(at + "timeLimit", retry.timeLimit());
            }
        });
        check.present("routing.defaultLane", p.routing.defaultLane);
        check.atLeast("validation.firstErrors", p.validation.firstErrors, 0)
                .atLeast("validation.progressEveryRows", p.validation.progressEveryRows, 1)
                .atLeast("validation.maxFieldChars", p.validation.maxFieldChars, 1)
                .atLeast("validation.maxRecordChars", p.validation.maxRecordChars, 1)
                .between("validation.maxNumberDigits", p.validation.maxNumberDigits, 1, 10_000);
        check.present("inbox.dir", p.inbox.dir)
                .atLeast("inbox.settleMs", p.inbox.settleMs, 0)
                .atLeast("inbox.pollMs", p.inbox.pollMs, 1)
                .atLeast("inbox.maxFileBytes", p.inbox.maxFileBytes, 1);
        check.atLeast("sql.pollMs", p.sql.pollMs, 1)
                .atLeast("sql.batchSize", p.sql.batchSize, 1);
        check.atLeast("warehouse.copyBufferRows", p.warehouse.copyBufferRows, 1);
        check.atLeast("bulkImport.maxBytes", p.bulkImport.maxBytes, 1)
                .positive("bulkImport.timeout", p.bulkImport.timeout)
                .atLeast("bulkImport.connectTimeoutMs", p.bulkImport.connectTimeoutMs, 1)
                .atLeast("bulkImport.readTimeoutMs", p.bulkImport.readTimeoutMs, 1);
        check.atLeast("retention.days", p.retention.days, 0)
                .atLeast("retention.periodMs", p.retention.periodMs, 1)
                .atLeast("retention.batchSize", p.retention.batchSize, 1);
    }

    /**
     * Error reports of validations, {@code <job_id>-errors.csv}, for all tenants: a report is only ever found by job id,
     * after the API checked the job is the caller's tenant's, and no payload can name a report.
     */
    public Path reportsDir() {
        return dataDir.resolve("reports");
    }
}
