package dev.conveyor.job;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;

import org.postgresql.PGStatement;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * The SQL of the jobs table, one method a statement. State changes are conditional on the status they
 * leave, so a caller that loses a race sees an empty result instead of overwriting another's work.
 *
 * <p>The statements that change {@code jobs.status} are package-private: only {@link JobLifecycle} runs them,
 * each for one {@link JobTransition}, whose {@link JobTransition#guard()} is the statement's
 * {@code WHERE status IN (...)} (derived from the {@link JobStatus} table). {@code OnlyTheLifecycleWritesStatusTest}
 * checks that no other class has SQL that sets the status.
 *
 * <p>Time: the times the service decides by — {@code run_at} (is the job due?), {@code lease_until} (has its
 * worker gone?) and {@code dispatched_at} (was its message lost?) — are written and compared with the service's
 * {@link Clock}, bound as a parameter ({@link #now()}), never with the database's {@code now()}: one clock for
 * both sides of each comparison, and one a test can move (docs/architecture.md, "Time"). The times that are only
 * recorded — {@code created_at}, {@code updated_at}, {@code started_at}, {@code completed_at} — keep the database's
 * {@code now()}: they are read, not decided by, and the one comparison among them ({@link #withPendingFollowUps})
 * compares the database's clock with itself.
 */
@Repository
public class JobStore {

    private static final String CLAIMABLE = JobStatus.sqlList(JobStatus.CLAIMABLE);

    private final NamedParameterJdbcTemplate jdbc;
    private final Clock clock;
    private final KeyLimits limits;
    /** With limits: the due query of the other types, and the limited types' own (round-robin over keys). */
    private final String dueOfOthers;
    private final String dueOfLimited;
    private final String lockLimitedKeys;
    private final String claimWithLimits;
    private final String updateBuckets;

    /** A store with no per-key limit (the tests of its plans build it so). */
    public JobStore(NamedParameterJdbcTemplate jdbc, Clock clock) {
        this(jdbc, clock, KeyLimits.none());
    }

    @org.springframework.beans.factory.annotation.Autowired
    public JobStore(NamedParameterJdbcTemplate jdbc, Clock clock, dev.conveyor.config.ConveyorProperties properties) {
        this(jdbc, clock, KeyLimits.of(properties));
    }

    JobStore(NamedParameterJdbcTemplate jdbc, Clock clock, KeyLimits limits) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.limits = limits;
        if (limits.isEmpty()) {
            dueOfOthers = dueOfLimited = lockLimitedKeys = claimWithLimits = updateBuckets = null;
            return;
        }
        dueOfOthers = DUE.replace("AND run_at <=", "AND type NOT IN " + limits.typeList() + " AND run_at <=");
        dueOfLimited = limits.dueStatement();
        lockLimitedKeys = limits.lockStatement();
        claimWithLimits = claimStatement(limits);
        updateBuckets = limits.hasRates() ? limits.bucketUpdate() : null;
    }

    /** The service's now, as a parameter of a statement (sent as a timestamptz). */
    private OffsetDateTime now() {
        return OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
    }

    /** Inserts the job; empty when its idempotency key already names a job of the tenant. */
    public Optional<Job> insert(NewJob job) {
        UUID id = JobIds.newRowId();
        MapSqlParameterSource params = new MapSqlParameterSource()
                .addValue("id", id)
                .addValue("jobId", JobIds.of(id))
                .addValue("tenantId", job.tenantId())
                .addValue("type", job.type())
                .addValue("source", job.source())
                .addValue("priority", job.priority().wireName())
                .addValue("payload", job.payloadJson())
                .addValue("payloadSize", job.payloadSizeBytes())
                .addValue("idempotencyKey", job.idempotencyKey())
                .addValue("requestHash", job.requestHash())
                .addValue("correlationId", job.correlationId())
                .addValue("parentJobId", job.parentJobId())
                .addValue("marketplace", job.marketplace())
                .addValue("category", job.category())
                .addValue("region", job.region())
                .addValue("runAt", job.runAt() == null ? null : Timestamp.from(job.runAt()))
                .addValue("now", now())
                .addValue("maxAttempts", job.maxAttempts())
                .addValue("submittedBy", job.submittedBy())
                .addValue("batchId", job.batchId());
        return jdbc.query("""
                INSERT INTO jobs (id, job_id, tenant_id, type, source, priority, payload, payload_size_bytes,
                                  idempotency_key, request_hash, correlation_id, parent_job_id,
                                  marketplace, category, region, run_at, max_attempts, submitted_by, batch_id)
                VALUES (:id, :jobId, :tenantId, :type, :source, :priority, CAST(:payload AS jsonb), :payloadSize,
                        :idempotencyKey, :requestHash, coalesce(:correlationId, :jobId), :parentJobId,
                        :marketplace, :category, :region, coalesce(:runAt, CAST(:now AS timestamptz)), :maxAttempts,
                        :submittedBy, :batchId)
                ON CONFLICT (tenant_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
                RETURNING *
                """, params, JobStore::map).stream().findFirst();
    }

    /**
     * Inserts many jobs with one statement (a multi-row INSERT ... SELECT FROM unnest of one array per column),
     * each exactly as {@link #insert} would. The answer is in the order of {@code jobs}: empty where the job's
     * idempotency key already named a job of its tenant.
     */
    public List<Optional<Job>> insertAll(List<NewJob> jobs) {
        int n = jobs.size();
        if (n == 0) {
            return List.of();
        }
        UUID[] ids = new UUID[n];
        String[] jobIds = new String[n];
        String[] tenants = new String[n];
        String[] types = new String[n];
        String[] sources = new String[n];
        String[] priorities = new String[n];
        String[] payloads = new String[n];
        Long[] sizes = new Long[n];
        String[] keys = new String[n];
        String[] hashes = new String[n];
        String[] correlations = new String[n];
        String[] parents = new String[n];
        String[] marketplaces = new String[n];
        String[] categories = new String[n];
        String[] regions = new String[n];
        Timestamp[] runAts = new Timestamp[n];
        Integer[] maxAttempts = new Integer[n];
        String[] submitters = new String[n];
        String[] uniqueKeys = new String[n];
        Timestamp[] uniqueUntils = new Timestamp[n];
        String[] batchIds = new String[n];
        Timestamp now = Timestamp.from(clock.instant());
        for (int i = 0; i < n; i++) {
            NewJob job = jobs.get(i);
            ids[i] = JobIds.newRowId();
            jobIds[i] = JobIds.of(ids[i]);
            tenants[i] = job.tenantId();
            types[i] = job.type();
            sources[i] = job.source();
            priorities[i] = job.priority().wireName();
            payloads[i] = job.payloadJson();
            sizes[i] = job.payloadSizeBytes();
            keys[i] = job.idempotencyKey();
            hashes[i] = job.requestHash();
            correlations[i] = job.correlationId();
            parents[i] = job.parentJobId();
            marketplaces[i] = job.marketplace();
            categories[i] = job.category();
            regions[i] = job.region();
            // due now by the service's clock unless the caller said when
            runAts[i] = job.runAt() == null ? now : Timestamp.from(job.runAt());
            maxAttempts[i] = job.maxAttempts();
            submitters[i] = job.submittedBy();
            uniqueKeys[i] = job.uniqueKey();
            // a period key is held until then by the service's clock; a while_active key has no end (NULL)
            uniqueUntils[i] = job.uniqueKey() == null || job.uniqueFor() == null ? null
                    : Timestamp.from(clock.instant().plus(job.uniqueFor()));
            batchIds[i] = job.batchId();
        }
        List<Job> inserted = jdbc.getJdbcTemplate().query(con -> {
            java.sql.PreparedStatement ps = con.prepareStatement("""
                    INSERT INTO jobs (id, job_id, tenant_id, type, source, priority, payload, payload_size_bytes,
                                      idempotency_key, request_hash, correlation_id, parent_job_id,
                                      marketplace, category, region, run_at, max_attempts, submitted_by,
                                      unique_key, unique_until, batch_id)
                    SELECT id, job_id, tenant_id, type, source, priority, CAST(payload AS jsonb), payload_size_bytes,
                           idempotency_key, request_hash, coalesce(correlation_id, job_id), parent_job_id,
                           marketplace, category, region, run_at, max_attempts, submitted_by, unique_key, unique_until,
                           batch_id
                    FROM unnest(?::uuid[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],
                                ?::bigint[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],
                                ?::text[], ?::timestamptz[], ?::int[], ?::text[], ?::text[], ?::timestamptz[],
                                ?::text[])
                         WITH ORDINALITY AS t(id, job_id, tenant_id, type, source, priority, payload,
                                              payload_size_bytes, idempotency_key, request_hash, correlation_id,
                                              parent_job_id, marketplace, category, region, run_at, max_attempts,
                                              submitted_by, unique_key, unique_until, batch_id, ord)
                    ORDER BY ord
                    ON CONFLICT (tenant_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
                    RETURNING *
                    """);
            int p = 1;
            ps.setArray(p++, con.createArrayOf("uuid", ids));
            for (Object[] column : new Object[][] {jobIds, tenants, types, sources, priorities, payloads}) {
                ps.setArray(p++, con.createArrayOf("text", column));
            }
            ps.setArray(p++, con.createArrayOf("bigint", sizes));
            for (Object[] column : new Object[][] {keys, hashes, correlations, parents, marketplaces, categories,
                    regions}) {
                ps.setArray(p++, con.createArrayOf("text", column));
            }
            ps.setArray(p++, con.createArrayOf("timestamptz", runAts));
            ps.setArray(p++, con.createArrayOf("integer", maxAttempts));
            ps.setArray(p++, con.createArrayOf("text", submitters));
            ps.setArray(p++, con.createArrayOf("text", uniqueKeys));
            ps.setArray(p++, con.createArrayOf("timestamptz", uniqueUntils));
            ps.setArray(p, con.createArrayOf("text", batchIds));
            return ps;
        }, JobStore::map);
        java.util.Map<String, Job> byJobId = new java.util.HashMap<>();
        inserted.forEach(job -> byJobId.put(job.jobId(), job));
        List<Optional<Job>> answer = new java.util.ArrayList<>(n);
        for (String jobId : jobIds) {
            answer.add(Optional.ofNullable(byJobId.get(jobId)));
        }
        return answer;
    }

    /** The tenant's jobs named by any of {@code idempotencyKeys}, by key; one statement. */
    public java.util.Map<String, Job> findByIdempotencyKeys(String tenantId, java.util.Collection<String> idempotencyKeys) {
        java.util.Map<String, Job> byKey = new java.util.HashMap<>();
        if (idempotencyKeys.isEmpty()) {
            return byKey;
        }
        jdbc.query("SELECT * FROM jobs WHERE tenant_id = :tenantId AND idempotency_key IN (:keys)",
                new MapSqlParameterSource("tenantId", tenantId).addValue("keys", List.copyOf(idempotencyKeys)),
                JobStore::map).forEach(job -> byKey.put(job.idempotencyKey(), job));
        return byKey;
    }

    /**
     * Which of {@code files} a job of the tenant created since {@code since} names in its payload ({@code file}); one
     * statement over the tenant's recent jobs (jobs_tenant_created_idx).
     */
    public java.util.Set<String> filesNamedSince(String tenantId, java.util.Collection<String> files, Instant since) {
        if (files.isEmpty()) {
            return java.util.Set.of();
        }
        return new java.util.HashSet<>(jdbc.queryForList("""
                SELECT DISTINCT payload->>'file' FROM jobs
                 WHERE tenant_id = :tenantId AND created_at >= :since AND payload->>'file' IN (:files)
                """, new MapSqlParameterSource("tenantId", tenantId).addValue("files", List.copyOf(files))
                .addValue("since", OffsetDateTime.ofInstant(since, ZoneOffset.UTC)), String.class));
    }

    /**
     * Takes a transaction-scoped advisory lock on each of the tenant's unique keys, in one order for every caller
     * (so two batches sharing keys cannot deadlock), held until the caller's transaction ends: a second submit of
     * a key waits here until the first has committed its job, then sees it. Must run in a transaction.
     */
    public void lockUniqueKeys(String tenantId, java.util.Collection<String> uniqueKeys) {
        if (uniqueKeys.isEmpty()) {
            return;
        }
        // the ordered subquery fixes the order the locks are taken in; the key's hash names the lock (a collision
        // only makes two keys wait for each other)
        jdbc.query("""
                SELECT count(pg_advisory_xact_lock(hashtextextended(:tenantId || E'\\n' || k, 0)))
                FROM (SELECT DISTINCT k FROM unnest(CAST(ARRAY[:keys] AS text[])) AS k ORDER BY k) AS ordered
                """, new MapSqlParameterSource("tenantId", tenantId)
                .addValue("keys", List.copyOf(uniqueKeys)), (rs, i) -> rs.getLong(1));
    }

    /**
     * The job that holds each of the tenant's {@code uniqueKeys}, by key: an active job (QUEUED, RETRYING, RUNNING)
     * of a while_active key, or a job of a period key whose period has not ended by the service's clock. Keys no
     * job holds are absent.
     */
    public java.util.Map<String, String> uniqueKeyHolders(String tenantId, java.util.Collection<String> uniqueKeys) {
        java.util.Map<String, String> holders = new java.util.HashMap<>();
        if (uniqueKeys.isEmpty()) {
            return holders;
        }
        jdbc.query("""
                SELECT DISTINCT ON (unique_key) unique_key, job_id FROM jobs
                WHERE tenant_id = :tenantId AND unique_key IN (:keys)
                  AND ((unique_until IS NULL AND status IN ('QUEUED', 'RETRYING', 'RUNNING'))
                       OR unique_until > CAST(:now AS timestamptz))
                ORDER BY unique_key, created_at DESC
                """, new MapSqlParameterSource("tenantId", tenantId)
                .addValue("keys", List.copyOf(uniqueKeys)).addValue("now", now()),
                (rs, i) -> holders.put(rs.getString("unique_key"), rs.getString("job_id")));
        return holders;
    }

    public Optional<Job> find(String tenantId, String jobId) {
        return jdbc.query("SELECT * FROM jobs WHERE job_id = :jobId AND tenant_id = :tenantId",
                new MapSqlParameterSource("jobId", jobId).addValue("tenantId", tenantId),
                JobStore::map).stream().findFirst();
    }

    public Optional<Job> find(String jobId) {
        return jdbc.query("SELECT * FROM jobs WHERE job_id = :jobId",
                new MapSqlParameterSource("jobId", jobId), JobStore::map).stream().findFirst();
    }

    /** A page of the tenant's jobs, newest first. */
    public List<Job> list(JobQuery query) {
        StringBuilder sql = new StringBuilder("SELECT * FROM jobs WHERE ");
        MapSqlParameterSource params = new MapSqlParameterSource("limit", query.limit());
        sql.append(where(query.filter(), params));
        if (query.after() != null) {
            sql.append(" AND (created_at, job_id) < (SELECT created_at, job_id FROM jobs WHERE job_id = :after)");
            params.addValue("after", query.after());
        }
        sql.append(" ORDER BY created_at DESC, job_id DESC LIMIT :limit");
        return jdbc.query(sql.toString(), params, JobStore::map);
    }

    /** The jobs of a batch, oldest first. */
    public List<Job> ofBatch(String batchId) {
        return jdbc.query("SELECT * FROM jobs WHERE batch_id = :batchId ORDER BY created_at, job_id",
                new MapSqlParameterSource("batchId", batchId), JobStore::map);
    }

    /** The jobs of each of these batches, oldest first, in one query: a page of batches without one query each. */
    public Map<String, List<Job>> ofBatches(Collection<String> batchIds) {
        if (batchIds.isEmpty()) {
            return Map.of();
        }
        return jdbc.query("SELECT * FROM jobs WHERE batch_id IN (:batchIds) ORDER BY created_at, job_id",
                        new MapSqlParameterSource("batchIds", batchIds), JobStore::map).stream()
                .collect(Collectors.groupingBy(Job::batchId));
    }

    /** The conditions of a filter on the jobs table (unqualified columns), its values added to {@code params}. */
    private static String where(JobFilter filter, MapSqlParameterSource params) {
        StringBuilder sql = new StringBuilder("tenant_id = :tenantId");
        params.addValue("tenantId", filter.tenantId());
        if (filter.status() != null) {
            sql.append(" AND status = :status");
            params.addValue("status", filter.status().name());
        }
        if (filter.type() != null) {
            sql.append(" AND type = :type");
            params.addValue("type", filter.type());
        }
        if (filter.correlationId() != null) {
            sql.append(" AND correlation_id = :correlationId");
            params.addValue("correlationId", filter.correlationId());
        }
        if (filter.createdAfter() != null) {
            sql.append(" AND created_at >= :createdAfter");
            params.addValue("createdAfter", Timestamp.from(filter.createdAfter()));
        }
        if (filter.createdBefore() != null) {
            sql.append(" AND created_at < :createdBefore");
            params.addValue("createdBefore", Timestamp.from(filter.createdBefore()));
        }
        return sql.toString();
    }

    /**
     * A bulk action's next chunk: up to {@code limit} of the filter's jobs in one of {@code statuses}, by row id
     * after {@code after} (null: from the start), so a chunk the action could not change is not read again.
     */
    public List<BulkCandidate> bulkCandidates(JobFilter filter, java.util.Set<JobStatus> statuses, UUID after,
                                              int limit) {
        MapSqlParameterSource params = new MapSqlParameterSource("limit", limit);
        StringBuilder sql = new StringBuilder("""
                SELECT id, job_id, CASE WHEN unique_until IS NULL THEN unique_key END AS active_unique_key
                FROM jobs WHERE\s""").append(where(filter, params))
                .append(" AND status IN ").append(JobStatus.sqlList(statuses));
        if (after != null) {
            sql.append(" AND id > :after");
            params.addValue("after", after);
        }
        sql.append(" ORDER BY id LIMIT :limit");
        return jdbc.query(sql.toString(), params, (rs, i) -> new BulkCandidate(rs.getObject("id", UUID.class),
                rs.getString("job_id"), rs.getString("active_unique_key"), null));
    }

    /**
     * A dead-letter replay's next chunk: the tenant's jobs that are DEAD_LETTERED now, with their newest dead
     * letter, by the dead letters' type and time ({@code since} inclusive, {@code until} exclusive), by row id after
     * {@code after}.
     */
    public List<BulkCandidate> deadLetterCandidates(String tenantId, String type, Instant since, Instant until,
                                                    UUID after, int limit) {
        return deadLetterCandidates(tenantId, type, null, since, until, after, limit);
    }

    /** The same, also by the text of the dead letters' last error ({@link DeadLetterStore#ERROR_CONTAINS}). */
    public List<BulkCandidate> deadLetterCandidates(String tenantId, String type, String errorContains, Instant since,
                                                    Instant until, UUID after, int limit) {
        MapSqlParameterSource params = new MapSqlParameterSource("tenantId", tenantId).addValue("limit", limit);
        StringBuilder sql = new StringBuilder("""
                SELECT j.id, j.job_id, CASE WHEN j.unique_until IS NULL THEN j.unique_key END AS active_unique_key,
                       max(d.id) AS dead_letter_id
                FROM dead_letters d JOIN jobs j ON j.job_id = d.job_id
                WHERE d.tenant_id = :tenantId AND j.status = 'DEAD_LETTERED'""");
        if (type != null) {
            sql.append(" AND d.type = :type");
            params.addValue("type", type);
        }
        if (errorContains != null) {
            sql.append(" AND " + DeadLetterStore.ERROR_CONTAINS);
            params.addValue("error", errorContains);
        }
        if (since != null) {
            sql.append(" AND d.created_at >= :since");
            params.addValue("since", Timestamp.from(since));
        }
        if (until != null) {
            sql.append(" AND d.created_at < :until");
            params.addValue("until", Timestamp.from(until));
        }
        if (after != null) {
            sql.append(" AND j.id > :after");
            params.addValue("after", after);
        }
        sql.append(" GROUP BY j.id, j.job_id, j.unique_until, j.unique_key ORDER BY j.id LIMIT :limit");
        return jdbc.query(sql.toString(), params, (rs, i) -> new BulkCandidate(rs.getObject("id", UUID.class),
                rs.getString("job_id"), rs.getString("active_unique_key"), rs.getLong("dead_letter_id")));
    }

    public List<String> childrenOf(String jobId) {
        return jdbc.queryForList("SELECT job_id FROM jobs WHERE parent_job_id = :jobId ORDER BY created_at",
                new MapSqlParameterSource("jobId", jobId), String.class);
    }

    /**
     * Marks a bounded batch of due, not yet published jobs as dispatched and returns them, highest
     * priority first. Rows another dispatcher holds are skipped, so concurrent dispatchers never
     * publish the same job in one round.
     */
    public List<DueJob> takeDueForDispatch(int batchSize) {
        if (limits.isEmpty()) {
            return takeDue(DUE, batchSize);
        }
        // the limited types first, a key's first job before any key's second: one tenant's flood cannot fill the
        // batch ahead of another's single job (docs/operations.md, "Per-key limits")
        List<DueJob> limited = takeDue(dueOfLimited, batchSize);
        List<DueJob> others = limited.size() < batchSize ? takeDue(dueOfOthers, batchSize - limited.size())
                : List.of();
        List<DueJob> batch = new java.util.ArrayList<>(limited);
        batch.addAll(others);
        return batch.stream().sorted(DueJob.DISPATCH_ORDER).toList();
    }

    /** The due query with no limit configured, unchanged by them. */
    private static final String DUE = """
            UPDATE jobs SET dispatched_at = CAST(:now AS timestamptz)
            WHERE id IN (SELECT id FROM jobs
                         WHERE status IN %s AND dispatched_at IS NULL AND run_at <= CAST(:now AS timestamptz)
                         ORDER BY priority_rank, run_at
                         LIMIT :limit
                         FOR UPDATE SKIP LOCKED)
            RETURNING job_id, type, priority, priority_rank, run_at, payload_size_bytes,
                      marketplace, category, region
            """.formatted(CLAIMABLE);

    private List<DueJob> takeDue(String statement, int limit) {
        return jdbc.query(statement, new MapSqlParameterSource("limit", limit).addValue("now", now()),
                (rs, i) -> dueJob(rs))
                .stream()
                .sorted(DueJob.DISPATCH_ORDER)
                .toList();
    }

    /**
     * Makes jobs that were published but never claimed (their message was lost with an in-memory queue,
     * say) due for dispatch again. A duplicate message is harmless: only one claim can win.
     */
    public int releaseStaleDispatches(Duration olderThan) {
        return jdbc.update("""
                UPDATE jobs SET dispatched_at = NULL
                WHERE status IN %s AND dispatched_at < CAST(:now AS timestamptz) - make_interval(secs => :secs)
                """.formatted(CLAIMABLE), new MapSqlParameterSource("secs", olderThan.toSeconds())
                .addValue("now", now()));
    }

    /** The given jobs, if still unclaimed, become due again (their publication failed). */
    public int releaseDispatches(List<String> jobIds) {
        if (jobIds.isEmpty()) {
            return 0;
        }
        return jdbc.update("UPDATE jobs SET dispatched_at = NULL WHERE job_id IN (:ids) AND status IN "
                + CLAIMABLE, new MapSqlParameterSource("ids", jobIds));
    }

    /** Every published, unclaimed job becomes due again: used at start-up when the queue kept nothing. */
    public int releaseAllDispatches() {
        return jdbc.update("UPDATE jobs SET dispatched_at = NULL WHERE status IN " + CLAIMABLE
                + " AND dispatched_at IS NOT NULL", new MapSqlParameterSource());
    }

    /**
     * The given jobs, if still unclaimed, are held back from dispatch until released: their lane or type is paused.
     * {@code dispatched_at = 'infinity'} keeps them out of the due query (dispatched) and out of
     * {@link #releaseStaleDispatches} (never stale); {@link #releaseDispatches} makes them due again.
     */
    public int holdDispatches(List<String> jobIds) {
        if (jobIds.isEmpty()) {
            return 0;
        }
        return jdbc.update("UPDATE jobs SET dispatched_at = 'infinity' WHERE job_id IN (:ids) AND status IN "
                + CLAIMABLE, new MapSqlParameterSource("ids", jobIds));
    }

    /**
     * The jobs that were dispatched (or held back) and not claimed yet, as the dispatcher knows them: a resume finds
     * among them the ones of its lane or type, whose messages a worker dropped or the dispatcher never sent.
     */
    public List<DueJob> dispatchedUnclaimed() {
        return jdbc.query("""
                SELECT job_id, type, priority, payload_size_bytes, marketplace, category, region FROM jobs
                WHERE status IN %s AND dispatched_at IS NOT NULL
                """.formatted(CLAIMABLE), new MapSqlParameterSource(), (rs, i) -> dueJob(rs));
    }

    private static DueJob dueJob(ResultSet rs) throws SQLException {
        return new DueJob(
                rs.getString("job_id"),
                rs.getString("type"),
                Priority.valueOf(rs.getString("priority").toUpperCase(java.util.Locale.ROOT)),
                rs.getLong("payload_size_bytes"),
                rs.getString("marketplace"),
                rs.getString("category"),
                rs.getString("region"));
    }

    /** Records progress and extends the lease; false when the job is no longer RUNNING. */
    public boolean heartbeat(String jobId, int progress, Duration lease) {
        return jdbc.update("""
                UPDATE jobs SET progress = greatest(progress, :progress),
                                lease_until = CAST(:now AS timestamptz) + make_interval(secs => :lease),
                                updated_at = now()
                WHERE job_id = :jobId AND status = 'RUNNING' AND NOT cancel_requested
                """, new MapSqlParameterSource("jobId", jobId).addValue("progress", progress)
                .addValue("lease", lease.toSeconds()).addValue("now", now())) == 1;
    }

    /**
     * Extends the leases of claimed jobs that have not started yet (they wait in a worker's set behind others), with
     * one statement; only a job still RUNNING for the same worker and attempt. Returns the ids of those extended.
     */
    public List<String> extendLeases(List<String> jobIds, List<Integer> attempts, String claimedBy, Duration lease) {
        return jdbc.getJdbcTemplate().query(con -> {
            java.sql.PreparedStatement ps = con.prepareStatement("""
                    UPDATE jobs j SET lease_until = CAST(? AS timestamptz) + make_interval(secs => ?), updated_at = now()
                    FROM unnest(?::text[], ?::int[]) AS t(job_id, attempts)
                    WHERE j.job_id = t.job_id AND j.attempts = t.attempts AND j.claimed_by = ?
                      AND (j.status = 'RUNNING') IS TRUE
                    RETURNING j.job_id
                    """);
            ps.setObject(1, now());
            ps.setLong(2, lease.toSeconds());
            ps.setArray(3, con.createArrayOf("text", jobIds.toArray()));
            ps.setArray(4, con.createArrayOf("int4", attempts.toArray()));
            ps.setString(5, claimedBy);
            return ps;
        }, (rs, row) -> rs.getString(1));
    }

    /** {@link #claim}'s statement with no limit configured; package-private for the test of its plan (ClaimPlanTest). */
    static final String CLAIM = claimStatement(KeyLimits.none());

    /**
     * The one claim statement. With per-key limits its set also numbers the claimable jobs of each limited key, and
     * a job of a concurrency-limited type is claimed only while its key's RUNNING jobs plus the ones before it in the
     * set stay within the max, and a rate-limited one only while its key's bucket has a token for it
     * ({@link KeyLimits#claimSet}, {@link KeyLimits#claimCondition}); with none, both are the plain set and nothing.
     */
    private static String claimStatement(KeyLimits limits) {
        return """
                UPDATE jobs j SET status = 'RUNNING', lane = t.lane, claimed_by = ?, attempts = j.attempts + 1,
                                  progress = 0, lease_until = ?::timestamptz + make_interval(secs => ?),
                                  started_at = coalesce(j.started_at, now()), updated_at = now()
                FROM {claim-set} t
                WHERE j.job_id = t.job_id AND %s AND (j.status <> 'RETRYING' OR j.run_at <= ?::timestamptz)
                  AND NOT EXISTS (SELECT 1 FROM queue_pauses p
                                  WHERE (p.kind = 'lane' AND p.name = t.lane) OR (p.kind = 'type' AND p.name = j.type)){limit}
                RETURNING j.*
                """.formatted(JobTransition.CLAIM.checkOn("j"))
                .replace("{claim-set}", limits.claimSet()).replace("{limit}", limits.claimCondition());
    }

    /**
     * The one claim statement, for a set of jobs: each becomes RUNNING with a lease for {@code worker}, in its
     * lane, unless another worker has it or it was cancelled, or it waits out a retry's backoff (a message the
     * broker delivers again after the lease reaper scheduled the retry must not start it early: the dispatcher
     * publishes it when it is due), or its lane or type is paused (queue_pauses: the message is dropped, the job stays
     * QUEUED and dispatched, and a resume makes it due again). Returns the jobs this call claimed; a job id that
     * is not among them was not claimable. An id given twice is claimed once.
     */
    List<Job> claim(List<String> jobIds, List<String> lanes, String worker, Duration lease) {
        if (!limits.isEmpty()) {
            return claimWithinLimits(jobIds, lanes, worker, lease);
        }
        return runClaim(CLAIM, jobIds, lanes, worker, lease);
    }

    private List<Job> runClaim(String statement, List<String> jobIds, List<String> lanes, String worker,
                            Duration lease) {
        return jdbc.getJdbcTemplate().query(con -> {
            PreparedStatement ps = plannedEachTime(con.prepareStatement(statement));
            OffsetDateTime now = now();
            ps.setString(1, worker);
            ps.setObject(2, now);
            ps.setLong(3, lease.toSeconds());
            ps.setArray(4, con.createArrayOf("text", jobIds.toArray()));
            ps.setArray(5, con.createArrayOf("text", lanes.toArray()));
            ps.setObject(6, now);
            if (statement != CLAIM && limits.hasRates()) {
                // the rate limits' condition reads the buckets at the service's now
                ps.setObject(7, now);
            }
            return ps;
        }, JobStore::map);
    }

    /**
     * The claim where per-key limits apply, in the caller's transaction: first the advisory locks of the limited
     * keys among the set (in one order, so two claimers never deadlock), held to the commit, so the claim statement
     * that follows, with its own fresh snapshot, sees every RUNNING job and bucket of those keys another claimer
     * committed. Then the one claim statement for the set, which refuses a job whose key is full or whose bucket has
     * no token; then the buckets lose a token per job claimed. A refused job's dispatch is released: it is due
     * again, and the dispatcher publishes it once its key has room.
     */
    private List<Job> claimWithinLimits(List<String> jobIds, List<String> lanes, String worker, Duration lease) {
        jdbc.getJdbcTemplate().query(con -> {
            PreparedStatement ps = con.prepareStatement(lockLimitedKeys);
            ps.setArray(1, con.createArrayOf("text", jobIds.toArray()));
            ps.setArray(2, con.createArrayOf("text", jobIds.toArray()));
            return ps;
        }, rs -> null);
        List<Job> claimed = runClaim(claimWithLimits, jobIds, lanes, worker, lease);
        if (updateBuckets != null && !claimed.isEmpty()) {
            OffsetDateTime now = now();
            Object[] claimedIds = claimed.stream().map(Job::jobId).toArray();
            jdbc.getJdbcTemplate().update(con -> {
                PreparedStatement ps = con.prepareStatement(updateBuckets);
                ps.setObject(1, now);
                ps.setObject(2, now);
                ps.setArray(3, con.createArrayOf("text", claimedIds));
                return ps;
            });
        }
        if (claimed.size() < new java.util.HashSet<>(jobIds).size()) {
            java.util.Set<String> refused = new java.util.HashSet<>(jobIds);
            claimed.forEach(job -> refused.remove(job.jobId()));
            releaseDispatches(List.copyOf(refused));
        }
        return claimed;
    }

    /** {@link #complete}'s statement; package-private for the test of its plan (ClaimPlanTest). */
    static final String COMPLETE = """
            UPDATE jobs j SET status = t.status, progress = 100, result = CAST(t.result AS jsonb),
                              result_url = t.result_url, follow_ups = CAST(t.follow_ups AS jsonb),
                              lease_until = NULL, error_message = NULL, completed_at = now(), updated_at = now()
            FROM unnest(?::text[], ?::text[], ?::int[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],
                        ?::float8[])
                 AS t(job_id, worker, attempt, status, result, result_url, follow_ups, error_entry, delay_secs)
            WHERE j.job_id = t.job_id AND j.claimed_by = t.worker AND j.attempts = t.attempt AND %s
            RETURNING j.*
            """.formatted(JobTransition.FINISH.checkOn("j"));

    /**
     * Ends a set of RUNNING jobs with their results, each only if it is still the attempt that asked (the same
     * worker, the same attempt number: a worker whose lease expired and whose job another worker took over
     * cannot end it). Returns the jobs ended; one that is not among them had left that attempt. Each job's
     * follow-ups (the children it asks for, JSON, or null) are kept in the row until they exist.
     */
    List<Job> complete(List<Ending> endings) {
        return endAll(endings, COMPLETE);
    }

    /**
     * Ends a set of jobs as FAILED, appending one entry to each one's error history. A job's result_url is the
     * report its failed run wrote (a validation whose rows failed), or null: a run that failed without one leaves
     * none, and a report an earlier run left (the job retried by hand) is no longer its report. Fenced by worker
     * and attempt as {@link #complete} is.
     */
    List<Job> fail(List<Ending> endings) {
        return endAll(endings, """
                UPDATE jobs j SET status = 'FAILED', error_message = t.error_message,
                                  errors = j.errors || jsonb_build_array(CAST(t.error_entry AS jsonb)),
                                  result = coalesce(CAST(t.result AS jsonb), j.result), result_url = t.result_url,
                                  lease_until = NULL, completed_at = now(), updated_at = now()
                FROM unnest(?::text[], ?::text[], ?::int[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],
                            ?::float8[])
                     AS t(job_id, worker, attempt, error_message, result, result_url, follow_ups, error_entry,
                          delay_secs)
                WHERE j.job_id = t.job_id AND j.claimed_by = t.worker AND j.attempts = t.attempt AND %s
                RETURNING j.*
                """.formatted(JobTransition.FAIL.checkOn("j")));
    }

    /**
     * Failed attempts that will be tried again: RETRYING, each due after its backoff, its error recorded. Fenced by
     * worker and attempt as {@link #complete} is.
     */
    List<Job> scheduleRetry(List<Ending> endings) {
        // the first parameter is the service's now: the backoff counts from it
        return endAll(endings, """
                UPDATE jobs j SET status = 'RETRYING', retry_count = j.retry_count + 1, error_message = t.error_message,
                                  errors = j.errors || jsonb_build_array(CAST(t.error_entry AS jsonb)),
                                  run_at = ?::timestamptz + make_interval(secs => t.delay_secs), dispatched_at = NULL,
                                  lease_until = NULL, updated_at = now()
                FROM unnest(?::text[], ?::text[], ?::int[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],
                            ?::float8[])
                     AS t(job_id, worker, attempt, error_message, result, result_url, follow_ups, error_entry,
                          delay_secs)
                WHERE j.job_id = t.job_id AND j.claimed_by = t.worker AND j.attempts = t.attempt AND %s
                RETURNING j.*
                """.formatted(JobTransition.RETRY.checkOn("j")), now());
    }

    /**
     * How one attempt ended, as one row of {@link #complete}, {@link #fail} or {@link #scheduleRetry}: the attempt
     * (job, worker, attempt number) and what to write; {@code text} is the status for a completion and the error
     * message otherwise. Fields a statement does not use are null.
     */
    record Ending(String jobId, String worker, int attempt, String text, String resultJson, String resultUrl,
                  String followUpsJson, String errorEntryJson, Double delaySeconds) {
    }

    /**
     * Runs an ending statement for a set: its parameters are {@code leading} (those its SET clause has before the
     * FROM, as scheduleRetry's now), then the nine arrays of the endings' columns.
     */
    private List<Job> endAll(List<Ending> endings, String sql, Object... leading) {
        if (endings.isEmpty()) {
            return List.of();
        }
        return jdbc.getJdbcTemplate().query(con -> {
            PreparedStatement ps = plannedEachTime(con.prepareStatement(sql));
            int p = 1;
            for (Object value : leading) {
                ps.setObject(p++, value);
            }
            ps.setArray(p++, con.createArrayOf("text", endings.stream().map(Ending::jobId).toArray()));
            ps.setArray(p++, con.createArrayOf("text", endings.stream().map(Ending::worker).toArray()));
            ps.setArray(p++, con.createArrayOf("integer", endings.stream().map(Ending::attempt).toArray()));
            ps.setArray(p++, con.createArrayOf("text", endings.stream().map(Ending::text).toArray()));
            ps.setArray(p++, con.createArrayOf("text", endings.stream().map(Ending::resultJson).toArray()));
            ps.setArray(p++, con.createArrayOf("text", endings.stream().map(Ending::resultUrl).toArray()));
            ps.setArray(p++, con.createArrayOf("text", endings.stream().map(Ending::followUpsJson).toArray()));
            ps.setArray(p++, con.createArrayOf("text", endings.stream().map(Ending::errorEntryJson).toArray()));
            ps.setArray(p, con.createArrayOf("float8", endings.stream().map(Ending::delaySeconds).toArray()));
            return ps;
        }, JobStore::map);
    }

    /**
     * A set statement that finds its jobs by id is planned at each execution, never from a plan the server cached.
     * The driver turns a statement run five times into a server-side prepared one, and the server then keeps a
     * generic plan made for the table as it was: in the W0 benchmark that plan was made while the table held a few
     * hundred jobs (a scan of it was cheaper than ten index probes), and the claim went on scanning all 30,000
     * jobs at each call, 30 ms for a set of 30 (docs/architecture.md, "Set-based writes"). Planning a statement that
     * writes a whole set costs a fraction of a millisecond once per set.
     */
    static PreparedStatement plannedEachTime(PreparedStatement statement) throws SQLException {
        statement.unwrap(PGStatement.class).setPrepareThreshold(0);
        return statement;
    }

    /**
     * Finished jobs whose follow-ups were recorded but not yet created (the service stopped between the parent's
     * commit and its children's), finished at least {@code olderThan} ago so a worker creating them now is left
     * alone. By the database's {@code now()}: {@code completed_at} is a recorded time, written by that clock.
     */
    public List<Job> withPendingFollowUps(Duration olderThan, int limit) {
        return jdbc.query("""
                SELECT * FROM jobs WHERE follow_ups IS NOT NULL AND completed_at < now() - make_interval(secs => :secs)
                ORDER BY completed_at LIMIT :limit
                """, new MapSqlParameterSource("secs", olderThan.toSeconds()).addValue("limit", limit), JobStore::map);
    }

    /** The job's follow-ups exist now: forget them. */
    public void followUpsCreated(String jobId) {
        jdbc.update("UPDATE jobs SET follow_ups = NULL WHERE job_id = :jobId", new MapSqlParameterSource("jobId", jobId));
    }

    /** Attempts exhausted: DEAD_LETTERED, the last error recorded. */
    Optional<Job> deadLetter(String jobId, String errorMessage, String errorEntryJson) {
        return jdbc.query("""
                UPDATE jobs SET status = 'DEAD_LETTERED', error_message = :message,
                                errors = errors || jsonb_build_array(CAST(:entry AS jsonb)),
                                lease_until = NULL, completed_at = now(), updated_at = now()
                WHERE job_id = :jobId AND %s
                RETURNING *
                """.formatted(JobTransition.DEAD_LETTER.guard()), new MapSqlParameterSource("jobId", jobId).addValue("message", errorMessage)
                .addValue("entry", errorEntryJson), JobStore::map).stream().findFirst();
    }

    public long insertDeadLetter(Job job, String lastError, String stackTrace) {
        return jdbc.queryForObject("""
                INSERT INTO dead_letters (job_id, tenant_id, type, payload_ref, attempts, errors, last_error,
                                          last_stack_trace)
                VALUES (:jobId, :tenantId, :type, :payloadRef, :attempts, CAST(:errors AS jsonb), :lastError, :stack)
                RETURNING id
                """, new MapSqlParameterSource("jobId", job.jobId()).addValue("tenantId", job.tenantId())
                .addValue("type", job.type()).addValue("payloadRef", "jobs.payload of " + job.jobId())
                .addValue("attempts", job.attempts()).addValue("errors", job.errorsJson())
                .addValue("lastError", lastError).addValue("stack", stackTrace), Long.class);
    }

    /** Jobs RUNNING past their lease: their worker died. Locked so two reapers never take the same one. */
    public List<Job> lockExpiredLeases(int limit) {
        return jdbc.query("""
                SELECT * FROM jobs WHERE status = 'RUNNING' AND lease_until < CAST(:now AS timestamptz)
                ORDER BY lease_until LIMIT :limit FOR UPDATE SKIP LOCKED
                """, new MapSqlParameterSource("limit", limit).addValue("now", now()), JobStore::map);
    }

    /**
     * Jobs this instance still holds when it shuts down: back to QUEUED for another instance (or the next
     * start), the interrupted attempt not counted — it was stopped, not failed.
     */
    List<Job> handBack(String instanceId) {
        return jdbc.query("""
                UPDATE jobs SET status = 'QUEUED', attempts = greatest(attempts - 1, 0), lease_until = NULL,
                                dispatched_at = NULL, run_at = CAST(:now AS timestamptz), updated_at = now()
                WHERE %s AND claimed_by = :instance
                RETURNING *
                """.formatted(JobTransition.HAND_BACK.guard()), new MapSqlParameterSource("instance", instanceId)
                .addValue("now", now()), JobStore::map);
    }

    /**
     * Claimed jobs that wait in a worker's set behind one that runs long, given back to the queue before they start:
     * QUEUED and due at once, their claim not counted (they never ran). Only those still RUNNING for the attempt
     * that claimed them.
     */
    List<Job> handBackWaiting(List<String> jobIds, List<Integer> attempts, String claimedBy) {
        return jdbc.getJdbcTemplate().query(con -> {
            java.sql.PreparedStatement ps = con.prepareStatement("""
                    UPDATE jobs j SET status = 'QUEUED', attempts = greatest(j.attempts - 1, 0), lease_until = NULL,
                                      dispatched_at = NULL, run_at = CAST(? AS timestamptz), updated_at = now()
                    FROM unnest(?::text[], ?::int[]) AS t(job_id, attempts)
                    WHERE j.job_id = t.job_id AND j.attempts = t.attempts AND j.claimed_by = ? AND %s
                    RETURNING j.*
                    """.formatted(JobTransition.HAND_BACK.checkOn("j")));
            ps.setObject(1, now());
            ps.setArray(2, con.createArrayOf("text", jobIds.toArray()));
            ps.setArray(3, con.createArrayOf("int4", attempts.toArray()));
            ps.setString(4, claimedBy);
            return ps;
        }, JobStore::map);
    }

    /** Cancels a job that has not started: it will never run. */
    Optional<Job> cancelWaiting(String jobId) {
        return jdbc.query("""
                UPDATE jobs SET status = 'CANCELLED', lease_until = NULL, completed_at = now(), updated_at = now()
                WHERE job_id = :jobId AND %s
                RETURNING *
                """.formatted(JobTransition.CANCEL_WAITING.guard()), new MapSqlParameterSource("jobId", jobId), JobStore::map).stream().findFirst();
    }

    /** Asks a running job to stop at its next checkpoint. */
    public boolean requestCancel(String jobId) {
        return jdbc.update("UPDATE jobs SET cancel_requested = true, updated_at = now() "
                + "WHERE job_id = :jobId AND status = 'RUNNING'", new MapSqlParameterSource("jobId", jobId)) == 1;
    }

    /** A running job that stopped because it was asked to. */
    Optional<Job> markCancelled(String jobId) {
        return jdbc.query("""
                UPDATE jobs SET status = 'CANCELLED', lease_until = NULL, completed_at = now(), updated_at = now()
                WHERE job_id = :jobId AND %s
                RETURNING *
                """.formatted(JobTransition.CANCEL_RUNNING.guard()), new MapSqlParameterSource("jobId", jobId), JobStore::map).stream().findFirst();
    }

    /**
     * A job whose while_active unique key another active job holds stays as it is: requeued, it would be a second
     * active job of the key (V50's index refuses that). {@code alias} names the jobs table in the statement.
     */
    private static String uniqueKeyFree(String alias) {
        return """
                (%1$s.unique_key IS NULL OR %1$s.unique_until IS NOT NULL
                 OR NOT EXISTS (SELECT 1 FROM jobs held WHERE held.tenant_id = %1$s.tenant_id
                                AND held.unique_key = %1$s.unique_key AND held.unique_until IS NULL
                                AND held.status IN ('QUEUED', 'RETRYING', 'RUNNING')))""".formatted(alias);
    }

    /**
     * A FAILED or DEAD_LETTERED job back to QUEUED with its attempts counted afresh (a manual retry); not while
     * another active job holds its while_active unique key.
     */
    Optional<Job> requeue(String jobId) {
        return jdbc.query("""
                UPDATE jobs SET status = 'QUEUED', attempts = 0, progress = 0, run_at = CAST(:now AS timestamptz),
                                dispatched_at = NULL, lease_until = NULL, cancel_requested = false, completed_at = NULL,
                                updated_at = now()
                WHERE job_id = :jobId AND %s AND UNIQUE_KEY_FREE
                RETURNING *
                """.formatted(JobTransition.REQUEUE.guard()).replace("UNIQUE_KEY_FREE", uniqueKeyFree("jobs")),
                new MapSqlParameterSource("jobId", jobId).addValue("now", now()), JobStore::map).stream().findFirst();
    }

    /**
     * {@link #requeue} for a set of jobs found by row id, in one statement: those still FAILED or DEAD_LETTERED (and
     * whose unique key is free) are QUEUED and returned; the others have moved on and are left alone.
     */
    List<Job> requeueAll(List<UUID> ids) {
        return byIds(ids, """
                UPDATE jobs j SET status = 'QUEUED', attempts = 0, progress = 0, run_at = ?::timestamptz,
                                  dispatched_at = NULL, lease_until = NULL, cancel_requested = false,
                                  completed_at = NULL, updated_at = now()
                FROM unnest(?::uuid[]) AS t(id)
                WHERE j.id = t.id AND %s AND UNIQUE_KEY_FREE
                RETURNING j.*
                """.formatted(JobTransition.REQUEUE.checkOn("j")).replace("UNIQUE_KEY_FREE", uniqueKeyFree("j")),
                now());
    }

    /** {@link #cancelWaiting} for a set of jobs found by row id, in one statement; those no longer waiting are left. */
    List<Job> cancelWaitingAll(List<UUID> ids) {
        return byIds(ids, """
                UPDATE jobs j SET status = 'CANCELLED', lease_until = NULL, completed_at = now(), updated_at = now()
                FROM unnest(?::uuid[]) AS t(id)
                WHERE j.id = t.id AND %s
                RETURNING j.*
                """.formatted(JobTransition.CANCEL_WAITING.checkOn("j")));
    }

    /**
     * {@link #requestCancel} for a set of jobs found by row id: each still RUNNING and not yet asked is asked to
     * stop at its next checkpoint. Returns their job ids.
     */
    public List<String> requestCancelAll(List<UUID> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        return jdbc.getJdbcTemplate().query(con -> {
            PreparedStatement ps = plannedEachTime(con.prepareStatement("""
                    UPDATE jobs j SET cancel_requested = true, updated_at = now()
                    FROM unnest(?::uuid[]) AS t(id)
                    WHERE j.id = t.id AND j.status = 'RUNNING' AND NOT j.cancel_requested
                    RETURNING j.job_id
                    """));
            ps.setArray(1, con.createArrayOf("uuid", ids.toArray()));
            return ps;
        }, (rs, i) -> rs.getString(1));
    }

    /** Runs a set statement whose parameters are {@code leading}, then the row ids as a uuid[]. */
    private List<Job> byIds(List<UUID> ids, String sql, Object... leading) {
        if (ids.isEmpty()) {
            return List.of();
        }
        return jdbc.getJdbcTemplate().query(con -> {
            PreparedStatement ps = plannedEachTime(con.prepareStatement(sql));
            int p = 1;
            for (Object value : leading) {
                ps.setObject(p++, value);
            }
            ps.setArray(p, con.createArrayOf("uuid", ids.toArray()));
            return ps;
        }, JobStore::map);
    }

    private static Job map(ResultSet rs, int row) throws SQLException {
        return new Job(
                rs.getObject("id", UUID.class),
                rs.getString("job_id"),
                rs.getString("tenant_id"),
                rs.getString("type"),
                rs.getString("source"),
                JobStatus.valueOf(rs.getString("status")),
                Priority.valueOf(rs.getString("priority").toUpperCase(java.util.Locale.ROOT)),
                rs.getString("lane"),
                rs.getString("payload"),
                rs.getLong("payload_size_bytes"),
                rs.getString("idempotency_key"),
                rs.getString("request_hash"),
                rs.getString("correlation_id"),
                rs.getString("parent_job_id"),
                rs.getString("marketplace"),
                rs.getString("category"),
                rs.getString("region"),
                rs.getInt("progress"),
                rs.getInt("attempts"),
                rs.getInt("retry_count"),
                rs.getInt("max_attempts"),
                instant(rs, "run_at"),
                instant(rs, "lease_until"),
                rs.getString("result"),
                rs.getString("result_url"),
                rs.getString("errors"),
                rs.getString("error_message"),
                instant(rs, "created_at"),
                instant(rs, "updated_at"),
                instant(rs, "started_at"),
                instant(rs, "completed_at"),
                rs.getString("claimed_by"),
                rs.getBoolean("cancel_requested"),
                rs.getString("submitted_by"),
                rs.getString("follow_ups"),
                rs.getString("unique_key"),
                instant(rs, "unique_until"),
                rs.getString("batch_id"));
    }

    /**
     * A timestamptz column as an instant. Read as an OffsetDateTime, which the driver parses straight from the
     * wire; getTimestamp goes through a Calendar of the JVM's zone, which was an eighth of the set writer's CPU
     * when every claim and ending returns its rows.
     */
    private static Instant instant(ResultSet rs, String column) throws SQLException {
        java.time.OffsetDateTime value = rs.getObject(column, java.time.OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

}
