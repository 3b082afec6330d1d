package dev.conveyor.job;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.conveyor.config.ConveyorProperties;
import dev.conveyor.config.ConveyorProperties.Concurrency;

/**
 * The per-key concurrency limits of {@code conveyor.limits} as SQL over the jobs table (docs/operations.md,
 * "Per-key limits"): a job's key ({@code tenant}: its tenant; else a top-level field of its payload), and the
 * fragments {@link JobStore} adds to its dispatch and claim statements. With no limit configured there is nothing
 * here, and JobStore runs its statements unchanged.
 */
public final class ConcurrencyLimits {

    private static final ConcurrencyLimits NONE = new ConcurrencyLimits(Map.of());

    private final Map<String, Concurrency> byType;

    private ConcurrencyLimits(Map<String, Concurrency> byType) {
        this.byType = byType;
    }

    public static ConcurrencyLimits none() {
        return NONE;
    }

    public static ConcurrencyLimits of(ConveyorProperties properties) {
        Map<String, Concurrency> byType = new LinkedHashMap<>();
        properties.limits().forEach((type, limits) -> {
            if (limits.concurrency() != null) {
                byType.put(type, limits.concurrency());
            }
        });
        return new ConcurrencyLimits(Map.copyOf(byType));
    }

    public boolean isEmpty() {
        return byType.isEmpty();
    }

    /** The limited types as an SQL list: {@code ('warehouse_load', 'enrich')}. */
    String typeList() {
        return "(" + String.join(", ", byType.keySet().stream().map(ConcurrencyLimits::literal).toList()) + ")";
    }

    /** The key of a job of {@code alias}, per its type; NULL for a type without a limit. */
    String keyOf(String alias) {
        StringBuilder sql = new StringBuilder("CASE ").append(alias).append(".type");
        byType.forEach((type, limit) -> sql.append(" WHEN ").append(literal(type)).append(" THEN ")
                .append(keyOf(alias, limit)));
        return sql.append(" END").toString();
    }

    /** The most jobs of one key that may run at once, per type of {@code alias}'s job. */
    String maxOf(String alias) {
        StringBuilder sql = new StringBuilder("CASE ").append(alias).append(".type");
        byType.forEach((type, limit) -> sql.append(" WHEN ").append(literal(type)).append(" THEN ")
                .append(limit.max()));
        return sql.append(" END").toString();
    }

    /**
     * The claim statement's set {@code t(job_id, lane[, nth])}: each asked job once (the first asker's lane) and, with
     * limits, its place among the set's claimable jobs of its key.
     */
    String claimSet() {
        String asked = "(SELECT DISTINCT ON (job_id) job_id, lane FROM unnest(?::text[], ?::text[]) AS u(job_id, lane))";
        if (isEmpty()) {
            return asked;
        }
        return "(SELECT s.job_id, s.lane, row_number() OVER (PARTITION BY x.type, " + keyOf("x")
                + " ORDER BY s.job_id) AS nth FROM " + asked + " s JOIN jobs x ON x.job_id = s.job_id AND x.status IN "
                + JobStatus.sqlList(JobStatus.CLAIMABLE) + ")";
    }

    /** The claim statement's limit: a limited job's key has room for it (its RUNNING jobs plus its place in the set). */
    String claimCondition() {
        if (isEmpty()) {
            return "";
        }
        return "\n  AND (j.type NOT IN " + typeList() + " OR (SELECT count(*) FROM jobs r WHERE r.status = 'RUNNING'"
                + " AND r.type = j.type AND " + keyOf("r") + " IS NOT DISTINCT FROM " + keyOf("j") + ") + t.nth <= "
                + maxOf("j") + ")";
    }

    private static String keyOf(String alias, Concurrency limit) {
        // the key was checked at start to be 'tenant' or a plain field name (ConveyorProperties.validate)
        return limit.key().equals("tenant") ? alias + ".tenant_id" : alias + ".payload ->> " + literal(limit.key());
    }

    private static String literal(String text) {
        return "'" + text.replace("'", "''") + "'";
    }

    List<String> types() {
        return List.copyOf(byType.keySet());
    }
}
