package dev.conveyor.schedule;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Repository;

/** The SQL of the schedules table (V30), one method a statement. */
@Repository
public class ScheduleStore {

    private static final String COLUMNS = "name, tenant_id, cron, zone, job::text AS job, misfire, paused, "
            + "next_run_at, last_run_at, last_job_id, origin, created_by, updated_at";

    private static final RowMapper<Schedule> ROW = ScheduleStore::row;

    private final JdbcTemplate jdbc;

    public ScheduleStore(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public Optional<Schedule> find(String name) {
        return jdbc.query("SELECT " + COLUMNS + " FROM schedules WHERE name = ?", ROW, name).stream().findFirst();
    }

    public List<Schedule> list(String tenantId) {
        return jdbc.query("SELECT " + COLUMNS + " FROM schedules WHERE tenant_id = ? ORDER BY name", ROW, tenantId);
    }

    /**
     * The schedules due at {@code now}, locked for this transaction; those another instance holds are skipped,
     * so each tick is planned by one instance at a time.
     */
    public List<Schedule> lockDue(Instant now, int limit) {
        return jdbc.query("SELECT " + COLUMNS + " FROM schedules WHERE NOT paused AND next_run_at <= ? "
                + "ORDER BY next_run_at LIMIT ? FOR UPDATE SKIP LOCKED", ROW, Timestamp.from(now), limit);
    }

    /** The schedule, locked for this transaction (waiting for a ticker that holds it). */
    public Optional<Schedule> lock(String name) {
        return jdbc.query("SELECT " + COLUMNS + " FROM schedules WHERE name = ? FOR UPDATE", ROW, name).stream()
                .findFirst();
    }

    /** Creates or replaces a definition; a replaced one keeps its pause and its last run. */
    public void put(String name, String tenantId, ScheduleDefinition definition, String jobJson, Instant nextRunAt,
                    String origin, String createdBy) {
        jdbc.update("""
                INSERT INTO schedules (name, tenant_id, cron, zone, job, misfire, next_run_at, origin, created_by)
                VALUES (?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?)
                ON CONFLICT (name) DO UPDATE SET tenant_id = excluded.tenant_id, cron = excluded.cron,
                    zone = excluded.zone, job = excluded.job, misfire = excluded.misfire,
                    next_run_at = excluded.next_run_at, origin = excluded.origin, created_by = excluded.created_by,
                    updated_at = now()
                """, name, tenantId, definition.cron().text(), definition.zone().getId(), jobJson,
                definition.misfire().wire(), Timestamp.from(nextRunAt), origin, createdBy);
    }

    /**
     * Creates or updates a schedule application.yaml declares, as every instance does at its start. Its next tick
     * stays where it was unless the cron or zone changed: the ticks missed while the service was down then follow
     * the misfire policy. An API schedule of the same name becomes the declared one.
     */
    public void putDeclared(String name, String tenantId, ScheduleDefinition definition, String jobJson,
                            Instant nextRunAt) {
        jdbc.update("""
                INSERT INTO schedules (name, tenant_id, cron, zone, job, misfire, next_run_at, origin)
                VALUES (?, ?, ?, ?, ?::jsonb, ?, ?, 'config')
                ON CONFLICT (name) DO UPDATE SET tenant_id = excluded.tenant_id, cron = excluded.cron,
                    zone = excluded.zone, job = excluded.job, misfire = excluded.misfire, origin = 'config',
                    created_by = NULL,
                    next_run_at = CASE WHEN schedules.cron <> excluded.cron OR schedules.zone <> excluded.zone
                        OR schedules.origin <> 'config' THEN excluded.next_run_at ELSE schedules.next_run_at END,
                    updated_at = CASE WHEN (schedules.tenant_id, schedules.cron, schedules.zone, schedules.job,
                        schedules.misfire, schedules.origin) IS DISTINCT FROM (excluded.tenant_id, excluded.cron,
                        excluded.zone, excluded.job, excluded.misfire, 'config') THEN now()
                        ELSE schedules.updated_at END
                """, name, tenantId, definition.cron().text(), definition.zone().getId(), jobJson,
                definition.misfire().wire(), Timestamp.from(nextRunAt));
    }

    public boolean delete(String name) {
        return jdbc.update("DELETE FROM schedules WHERE name = ?", name) > 0;
    }

    /** Declared schedules application.yaml no longer names. */
    public List<String> deleteDeclaredExcept(List<String> names) {
        return jdbc.queryForList("DELETE FROM schedules WHERE origin = 'config' AND NOT (name = ANY (?)) "
                + "RETURNING name", String.class, (Object) names.toArray(String[]::new));
    }

    public void setPaused(String name, boolean paused, Instant nextRunAt) {
        jdbc.update("UPDATE schedules SET paused = ?, next_run_at = ?, updated_at = now() WHERE name = ?", paused,
                Timestamp.from(nextRunAt), name);
    }

    /** Where a tick round left the schedule: its next tick, and the last job it made (if it made one). */
    public void advance(String name, Instant nextRunAt, Instant lastRunAt, String lastJobId) {
        jdbc.update("""
                UPDATE schedules SET next_run_at = ?, last_run_at = coalesce(?, last_run_at),
                    last_job_id = coalesce(?, last_job_id)
                WHERE name = ?
                """, Timestamp.from(nextRunAt), lastRunAt == null ? null : Timestamp.from(lastRunAt), lastJobId, name);
    }

    /** A job made outside the ticks (trigger): the last run, the next tick untouched. */
    public void recordRun(String name, Instant ranAt, String jobId) {
        jdbc.update("UPDATE schedules SET last_run_at = ?, last_job_id = ? WHERE name = ?", Timestamp.from(ranAt),
                jobId, name);
    }

    /** A schedule whose expression never fires again stays, paused, for someone to replace or delete. */
    public void pauseForever(String name) {
        jdbc.update("UPDATE schedules SET paused = true, updated_at = now() WHERE name = ?", name);
    }

    private static Schedule row(ResultSet rs, int i) throws SQLException {
        return new Schedule(rs.getString("name"), rs.getString("tenant_id"), rs.getString("cron"),
                rs.getString("zone"), rs.getString("job"),
                Misfire.parse(rs.getString("misfire")).orElseThrow(), rs.getBoolean("paused"),
                instant(rs, "next_run_at"), instant(rs, "last_run_at"), rs.getString("last_job_id"),
                rs.getString("origin"), rs.getString("created_by"), instant(rs, "updated_at"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp value = rs.getTimestamp(column);
        return value == null ? null : value.toInstant();
    }
}
