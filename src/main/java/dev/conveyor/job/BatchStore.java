package dev.conveyor.job;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * The SQL of the batches table, one method a statement. A batch is opened in the transaction that writes its first
 * jobs, so it is never seen without them; it is closed once, by {@link #complete}, guarded on RUNNING.
 */
@Repository
public class BatchStore {

    /**
     * A job that may still change, or that still has follow-ups to create, keeps its batch open. jobs_batch_open_idx
     * (migration V92) holds only these jobs, under this same predicate: keep the two alike.
     */
    private static final String OPEN_JOB = "j.status NOT IN ('SUCCESS', 'PARTIAL_SUCCESS', 'FAILED', 'DEAD_LETTERED', "
            + "'CANCELLED') OR j.follow_ups IS NOT NULL";

    private final NamedParameterJdbcTemplate jdbc;

    public BatchStore(NamedParameterJdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** Opens a RUNNING batch; the caller writes its jobs in the same transaction. */
    public Batch open(String tenantId, String source, String sourceRef, String sha256, String callbacksJson) {
        return jdbc.queryForObject("""
                INSERT INTO batches (batch_id, tenant_id, source, source_ref, sha256, callbacks)
                VALUES (:batchId, :tenantId, :source, :sourceRef, :sha256, CAST(:callbacks AS jsonb))
                RETURNING *
                """, new MapSqlParameterSource("batchId", BatchIds.next()).addValue("tenantId", tenantId)
                .addValue("source", source).addValue("sourceRef", sourceRef).addValue("sha256", sha256)
                .addValue("callbacks", callbacksJson), BatchStore::map);
    }

    /**
     * Removes a batch that got no job of its own (every job it asked for was an idempotent replay of a job already in
     * another batch), in the transaction that opened it.
     */
    public void forget(String batchId) {
        jdbc.update("DELETE FROM batches b WHERE batch_id = :batchId "
                + "AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.batch_id = b.batch_id)",
                new MapSqlParameterSource("batchId", batchId));
    }

    public Optional<Batch> find(String tenantId, String batchId) {
        return jdbc.query("SELECT * FROM batches WHERE batch_id = :batchId AND tenant_id = :tenantId",
                new MapSqlParameterSource("batchId", batchId).addValue("tenantId", tenantId), BatchStore::map)
                .stream().findFirst();
    }

    public Optional<Batch> find(String batchId) {
        return jdbc.query("SELECT * FROM batches WHERE batch_id = :batchId",
                new MapSqlParameterSource("batchId", batchId), BatchStore::map).stream().findFirst();
    }

    /** A page of the tenant's batches, newest first (batches_tenant_created_idx). */
    public List<Batch> list(BatchQuery query) {
        StringBuilder sql = new StringBuilder("SELECT * FROM batches WHERE tenant_id = :tenantId");
        MapSqlParameterSource params = new MapSqlParameterSource("tenantId", query.tenantId())
                .addValue("limit", query.limit());
        if (query.status() != null) {
            sql.append(" AND status = :status");
            params.addValue("status", query.status().name());
        }
        if (query.source() != null) {
            sql.append(" AND source = :source");
            params.addValue("source", query.source());
        }
        if (query.after() != null) {
            sql.append(" AND (created_at, batch_id) < (SELECT created_at, batch_id FROM batches WHERE batch_id = :after)");
            params.addValue("after", query.after());
        }
        sql.append(" ORDER BY created_at DESC, batch_id DESC LIMIT :limit");
        return jdbc.query(sql.toString(), params, BatchStore::map);
    }

    /**
     * Open batches none of whose jobs may still change or still has follow-ups to create, oldest first, locked for
     * the caller's transaction. A batch another completer holds is skipped, and one it closed meanwhile no longer
     * matches (PostgreSQL checks the row again when it locks it), so two completers never close the same batch.
     */
    public List<Batch> lockCompletable(int limit) {
        return jdbc.query(COMPLETABLE, new MapSqlParameterSource("limit", limit), BatchStore::map);
    }

    /**
     * {@link #lockCompletable}'s statement. Its look for an open job is one probe of jobs_batch_open_idx per open
     * batch. {@code OFFSET 0} keeps PostgreSQL from turning that look into an anti-join, which it plans from the
     * table's statistics: taken while no job had a batch (after a run of single jobs, say), they make it read every
     * open job once for each open batch, 190 ms a look with 120 batches of 500 open (docs/benchmarks.md, "Open
     * batches looked up by their open jobs").
     */
    static final String COMPLETABLE = """
            SELECT * FROM batches b
             WHERE b.status = 'RUNNING'
               AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.batch_id = b.batch_id AND (%s) OFFSET 0)
             ORDER BY b.created_at
             LIMIT :limit
             FOR UPDATE SKIP LOCKED
            """.formatted(OPEN_JOB);

    /** Closes a RUNNING batch with its outcome; empty when it was not RUNNING (closed already). */
    public Optional<Batch> complete(String batchId, BatchStatus status, Batch.RowCounts rows, String reconciliation,
                                    String callbackJobIdsJson) {
        return jdbc.query("""
                UPDATE batches SET status = :status, rows_total = :total, rows_valid = :valid, rows_invalid = :invalid,
                                   rows_loaded = :loaded, rows_unchanged = :unchanged, reconciliation = :note,
                                   callback_job_ids = CAST(:callbackJobIds AS jsonb), completed_at = now()
                 WHERE batch_id = :batchId AND status = 'RUNNING'
                RETURNING *
                """, new MapSqlParameterSource("batchId", batchId).addValue("status", status.name())
                .addValue("total", rows.total()).addValue("valid", rows.valid()).addValue("invalid", rows.invalid())
                .addValue("loaded", rows.loaded()).addValue("unchanged", rows.unchanged())
                .addValue("note", reconciliation).addValue("callbackJobIds", callbackJobIdsJson), BatchStore::map)
                .stream().findFirst();
    }

    /**
     * The newest earlier batch of the tenant's inbox files in {@code folder} (a file's place in the inbox without its
     * name: {@code marketplace/category[/region]}) whose file had this content and that succeeded: it is SUCCESS, or
     * PARTIAL_SUCCESS only because of invalid rows (every job other than its validations succeeded, so the same
     * file again would load the same rows and report the same invalid ones). Empty when there is none.
     */
    public Optional<Batch> earlierSuccessfulInboxBatch(String tenantId, String sha256, String folder) {
        return jdbc.query("""
                SELECT * FROM batches b
                 WHERE b.tenant_id = :tenantId AND b.sha256 = :sha256 AND b.source = 'inbox'
                   AND b.source_ref LIKE :folder ESCAPE '\\' AND strpos(substr(b.source_ref, :nameFrom), '/') = 0
                   AND (b.status = 'SUCCESS'
                        OR b.status = 'PARTIAL_SUCCESS' AND NOT EXISTS (
                            SELECT 1 FROM jobs j WHERE j.batch_id = b.batch_id AND j.status <> 'SUCCESS'
                               AND NOT (j.type = 'csv_validation' AND j.status = 'PARTIAL_SUCCESS')))
                 ORDER BY b.created_at DESC
                 LIMIT 1
                """, new MapSqlParameterSource("tenantId", tenantId).addValue("sha256", sha256)
                .addValue("folder", likePrefix(folder + "/") + "%")
                .addValue("nameFrom", folder.codePointCount(0, folder.length()) + 2),
                BatchStore::map).stream().findFirst();
    }

    private static String likePrefix(String text) {
        return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }

    /** The batch, locked for the caller's transaction (a replay decides on it and re-opens it). */
    public Batch lockForReplay(String batchId) {
        return jdbc.queryForObject("SELECT * FROM batches WHERE batch_id = :batchId FOR UPDATE",
                new MapSqlParameterSource("batchId", batchId), BatchStore::map);
    }

    /**
     * Opens a closed batch again for a replay of its invalid rows: RUNNING until the completion closes it once more.
     * Its last counts stay until then; its completion time is cleared.
     */
    public void reopen(String batchId) {
        jdbc.update("UPDATE batches SET status = 'RUNNING', completed_at = NULL WHERE batch_id = :batchId",
                new MapSqlParameterSource("batchId", batchId));
    }

    /** A replay of a batch's invalid rows: its job, and the report row of each of its rows, in order. */
    public record ReplayRows(String jobId, String validationJobId, List<Long> rows) {
    }

    public void recordReplay(String jobId, String batchId, String validationJobId, List<Long> rows) {
        jdbc.update("""
                INSERT INTO batch_replays (job_id, batch_id, validation_job_id, replayed_rows)
                VALUES (:jobId, :batchId, :validationJobId, CAST(:rows AS bigint[]))
                """, new MapSqlParameterSource("jobId", jobId).addValue("batchId", batchId)
                .addValue("validationJobId", validationJobId).addValue("rows", rows.stream().map(String::valueOf)
                .collect(java.util.stream.Collectors.joining(",", "{", "}"))));
    }

    /** The replay that job {@code jobId} is, if it is one. */
    public Optional<ReplayRows> replay(String jobId) {
        return jdbc.query("SELECT job_id, validation_job_id, replayed_rows FROM batch_replays WHERE job_id = :jobId",
                new MapSqlParameterSource("jobId", jobId), REPLAY_ROWS).stream().findFirst();
    }

    /** The replays of a batch, oldest first. */
    public List<ReplayRows> replaysOf(String batchId) {
        return jdbc.query("SELECT job_id, validation_job_id, replayed_rows FROM batch_replays WHERE batch_id = :batchId "
                + "ORDER BY created_at, job_id", new MapSqlParameterSource("batchId", batchId), REPLAY_ROWS);
    }

    /** A batch_replays row read as job_id, validation_job_id, replayed_rows. */
    private static final RowMapper<ReplayRows> REPLAY_ROWS = (rs, i) -> new ReplayRows(rs.getString(1),
            rs.getString(2), List.of((Long[]) rs.getArray(3).getArray()));

    /** Marks that the batch was cancelled: its jobs' follow-ups are not created any more. False when it was closed. */
    public boolean requestCancel(String batchId) {
        return jdbc.update("UPDATE batches SET cancel_requested = true WHERE batch_id = :batchId AND status = 'RUNNING'",
                new MapSqlParameterSource("batchId", batchId)) == 1;
    }

    /** Whether the batch was cancelled (false for no batch). */
    public boolean cancelRequested(String batchId) {
        return batchId != null && Boolean.TRUE.equals(jdbc.query(
                "SELECT cancel_requested FROM batches WHERE batch_id = :batchId",
                new MapSqlParameterSource("batchId", batchId), (rs, i) -> rs.getBoolean(1)).stream().findFirst()
                .orElse(false));
    }

    private static Batch map(ResultSet rs, int row) throws SQLException {
        return new Batch(
                rs.getString("batch_id"),
                rs.getString("tenant_id"),
                rs.getString("source"),
                rs.getString("source_ref"),
                BatchStatus.valueOf(rs.getString("status")),
                new Batch.RowCounts(count(rs, "rows_total"), count(rs, "rows_valid"), count(rs, "rows_invalid"),
                        count(rs, "rows_loaded"), count(rs, "rows_unchanged")),
                rs.getString("sha256"),
                rs.getString("reconciliation"),
                rs.getBoolean("cancel_requested"),
                rs.getString("callbacks"),
                rs.getString("callback_job_ids"),
                instant(rs, "created_at"),
                instant(rs, "completed_at"));
    }

    private static Long count(ResultSet rs, String column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : value;
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp ts = rs.getTimestamp(column);
        return ts == null ? null : ts.toInstant();
    }
}
