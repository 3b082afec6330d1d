package dev.conveyor.config;

import java.nio.file.Path;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/** Everything under {@code conveyor:} in application.yaml; see docs/configuration.md. */
@ConfigurationProperties("conveyor")
public record ConveyorProperties(
        @DefaultValue("data") Path dataDir,
        // null (SCHEMAS_DIR unset): the schemas packaged in the jar (PayloadSchemas, EventSchemas)
        Path schemasDir,
        @DefaultValue("default") String defaultTenant,
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
        @DefaultValue Bench bench) {

    public record Db(
            @DefaultValue("") String url,
            @DefaultValue("postgres") String user,
            @DefaultValue("") String password,
            @DefaultValue("public") String schema,
            @DefaultValue("32") int poolSize,
            @DefaultValue("5433") int embeddedPort,
            @DefaultValue("2") int minIdle,
            @DefaultValue("60000") long idleTimeoutMs,
            @DefaultValue("500") int batchMaxRows,
            @DefaultValue("2") long batchLingerMs,
            @DefaultValue("2") int batchWriters,
            @DefaultValue("false") boolean embeddedFast) {

        public boolean embedded() {
            return url == null || url.isBlank();
        }
    }

    public record Intake(
            @DefaultValue("1048576") long maxJsonBytes,
            @DefaultValue("2147483648") long maxCsvBytes,
            @DefaultValue("1000") int maxBatch,
            @DefaultValue("16777216") long maxBatchBytes) {
    }

    public record Dispatcher(
            @DefaultValue("200") int batchSize,
            @DefaultValue("1000") long pollIntervalMs,
            @DefaultValue("300") long redispatchAfterSeconds,
            @DefaultValue("200") int maxInMemoryBacklog) {
    }

    public record Worker(
            @DefaultValue("60") long leaseSeconds,
            @DefaultValue("3") int maxAttempts,
            @DefaultValue("10000") long reaperPeriodMs,
            @DefaultValue("1h") java.time.Duration timeLimit,
            @DefaultValue("1000") long heartbeatIntervalMs) {
    }

    /**
     * Backoff between attempts: initial × multiplier^(attempt−1), capped at max, with jitter; per job type
     * overrides under {@code types.<type>} (any field left out falls back to the global one).
     */
    public record Retry(
            @DefaultValue("2s") java.time.Duration backoffInitial,
            @DefaultValue("2") double backoffMultiplier,
            @DefaultValue("10m") java.time.Duration backoffMax,
            @DefaultValue java.util.Map<String, TypeRetry> types) {
    }

    public record TypeRetry(Integer maxAttempts, java.time.Duration backoffInitial, Double backoffMultiplier,
                            java.time.Duration backoffMax, java.time.Duration timeLimit, Boolean timeLimitRetries) {
    }

    public record Routing(
            @DefaultValue("normal") String defaultLane,
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
            @DefaultValue("") String rulesDir,
            @DefaultValue("20") int firstErrors,
            @DefaultValue("10000") int progressEveryRows,
            @DefaultValue("65536") int maxFieldChars,
            @DefaultValue("1048576") int maxRecordChars,
            @DefaultValue("40") int maxNumberDigits) {
    }

    /** The watched folder: {@code <dir>/<marketplace>/<category>[/<region>]/<name>.csv}. */
    public record Inbox(
            @DefaultValue("inbox") Path dir,
            @DefaultValue("true") boolean enabled,
            @DefaultValue("1000") long settleMs,
            @DefaultValue("1000") long pollMs,
            @DefaultValue("true") boolean loadToWarehouse,
            @DefaultValue("10737418240") long maxFileBytes,
            @DefaultValue("default") String tenant) {
    }

    /** The job_requests table other systems insert into. */
    public record Sql(
            @DefaultValue("true") boolean enabled,
            @DefaultValue("1000") long pollMs,
            @DefaultValue("100") int batchSize) {
    }

    public record Warehouse(
            @DefaultValue("10000") int copyBufferRows) {
    }

    /**
     * Where bulk_import may fetch files from. Remote import is off until {@code allowedHosts} names hosts: a job's
     * URL could otherwise make the service fetch from anything it can reach (its own actuator, cloud metadata, the
     * internal network). {@code allowedAddresses} (CIDRs) lets through addresses of the private, loopback and other
     * internal classes that are otherwise refused whatever the host name. {@code allowedDir}: a local directory, empty
     * for none.
     */
    public record BulkImport(
            @DefaultValue("") String allowedDir,
            @DefaultValue List<String> allowedHosts,
            @DefaultValue List<String> allowedAddresses,
            @DefaultValue("1073741824") long maxBytes,
            @DefaultValue("30m") java.time.Duration timeout,
            @DefaultValue("30000") long connectTimeoutMs,
            @DefaultValue("600000") long readTimeoutMs) {
    }

    /** How long the files of finished jobs (uploads, imports, error reports) are kept. */
    public record Retention(
            @DefaultValue("30") int days,
            @DefaultValue("3600000") long periodMs,
            @DefaultValue("500") int batchSize) {
    }

    /**
     * What only benchmarks and tests switch on. {@code noopJobs}: the {@code noop} job type, which does nothing and
     * succeeds, so that bench/run's W0 measures the job core (claim, finish, events) and nothing else; off, the type
     * does not exist and a {@code noop} job is refused like any unknown type.
     */
    public record Bench(
            @DefaultValue("false") boolean noopJobs) {
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

    /**
     * Error reports of validations, {@code <job_id>-errors.csv}, for all tenants: a report is only ever found by job id,
     * after the API checked the job is the caller's tenant's, and no payload can name a report.
     */
    public Path reportsDir() {
        return dataDir.resolve("reports");
    }
}
