package dev.conveyor.job;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Repository;

/** The SQL of the dead_letters table: inspection and the record of replays. */
@Repository
public class DeadLetterStore {

    private final NamedParameterJdbcTemplate jdbc;

    public DeadLetterStore(NamedParameterJdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * The tenant's dead letters, newest first, optionally by type and time window; the last stack trace only
     * when {@code withStackTraces}.
     */
    /** A dead letter {@code d} whose last error holds the text {@code :error}, in any case (no LIKE wildcards). */
    public static final String ERROR_CONTAINS = "strpos(lower(d.last_error), lower(:error)) > 0";

    public List<Map<String, Object>> list(String tenantId, String type, Instant since, Instant until, int limit,
                                          boolean withStackTraces) {
        return list(tenantId, type, null, since, until, limit, withStackTraces);
    }

    /**
     * {@link #list(String, String, Instant, Instant, int, boolean)}, also by the text of the last error
     * ({@code errorContains}, case-insensitive; null: any), as the dashboard's filter and its replay-all take it.
     */
    public List<Map<String, Object>> list(String tenantId, String type, String errorContains, Instant since,
                                          Instant until, int limit, boolean withStackTraces) {
        StringBuilder sql = new StringBuilder("""
                SELECT d.id, d.job_id, d.type, d.attempts, d.errors::text AS errors, d.last_error,
                       CASE WHEN :withStackTraces THEN d.last_stack_trace END AS last_stack_trace, d.payload_ref, d.created_at, d.replay_count, d.replayed_at, j.status
                FROM dead_letters d JOIN jobs j USING (job_id) WHERE d.tenant_id = :tenantId""");
        MapSqlParameterSource params = new MapSqlParameterSource("tenantId", tenantId).addValue("limit", limit)
                .addValue("withStackTraces", withStackTraces);
        if (type != null) {
            sql.append(" AND d.type = :type");
            params.addValue("type", type);
        }
        if (errorContains != null) {
            sql.append(" AND " + ERROR_CONTAINS);
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
        sql.append(" ORDER BY d.created_at DESC, d.id DESC LIMIT :limit");
        return jdbc.queryForList(sql.toString(), params);
    }

    /** The job id of a dead letter of the tenant. */
    public Optional<String> jobOf(String tenantId, long id) {
        return jdbc.queryForList("SELECT job_id FROM dead_letters WHERE id = :id AND tenant_id = :tenantId",
                new MapSqlParameterSource("id", id).addValue("tenantId", tenantId), String.class).stream().findFirst();
    }

    /** {@link #markReplayed(long)} for many dead letters, with one statement. */
    public void markReplayed(java.util.Collection<Long> ids) {
        if (ids.isEmpty()) {
            return;
        }
        jdbc.update("UPDATE dead_letters SET replay_count = replay_count + 1, replayed_at = now() WHERE id IN (:ids)",
                new MapSqlParameterSource("ids", List.copyOf(ids)));
    }

    /** One dead letter of the tenant, in the shape of {@link #list}'s rows. */
    public Optional<Map<String, Object>> find(String tenantId, long id, boolean withStackTrace) {
        return jdbc.queryForList("""
                SELECT d.id, d.job_id, d.type, d.attempts, d.errors::text AS errors, d.last_error,
                       CASE WHEN :withStackTraces THEN d.last_stack_trace END AS last_stack_trace, d.payload_ref, d.created_at, d.replay_count, d.replayed_at, j.status
                FROM dead_letters d JOIN jobs j USING (job_id) WHERE d.tenant_id = :tenantId AND d.id = :id""",
                new MapSqlParameterSource("tenantId", tenantId).addValue("id", id)
                        .addValue("withStackTraces", withStackTrace)).stream().findFirst();
    }

    public void markReplayed(long id) {
        jdbc.update("UPDATE dead_letters SET replay_count = replay_count + 1, replayed_at = now() WHERE id = :id",
                new MapSqlParameterSource("id", id));
    }
}
