package dev.conveyor.job;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import dev.conveyor.config.ConveyorProperties;
import dev.conveyor.config.ConveyorProperties.Concurrency;
import dev.conveyor.config.ConveyorProperties.Rate;

/**
 * The per-key limits of {@code conveyor.limits} as SQL over the jobs table (docs/operations.md, "Per-key limits"):
 * concurrency (at most {@code max} RUNNING per key) and rate (a token bucket per key in {@code rate_buckets}:
 * {@code per-second} tokens a second, at most {@code burst} saved up). A job's key is {@code tenant} (its tenant) or
 * a top-level field of its payload. {@link JobStore} adds these statements and fragments to its dispatch and claim;
 * with no limit configured there is nothing here, and JobStore runs its statements unchanged.
 */
public final class KeyLimits {

    private static final KeyLimits NONE = new KeyLimits(Map.of(), Map.of());
    private static final String CLAIMABLE = JobStatus.sqlList(JobStatus.CLAIMABLE);
    /** The classid of the limits' advisory locks, apart from any other user of pg_advisory_xact_lock. */
    static final int LOCK_CLASS = 16016;

    private final Map<String, Concurrency> concurrency;
    private final Map<String, Rate> rate;

    private KeyLimits(Map<String, Concurrency> concurrency, Map<String, Rate> rate) {
        this.concurrency = concurrency;
        this.rate = rate;
    }

    public static KeyLimits none() {
        return NONE;
    }

    public static KeyLimits of(ConveyorProperties properties) {
        Map<String, Concurrency> concurrency = new LinkedHashMap<>();
        Map<String, Rate> rate = new LinkedHashMap<>();
        properties.limits().forEach((type, limits) -> {
            if (limits.concurrency() != null) {
                concurrency.put(type, limits.concurrency());
            }
            if (limits.rate() != null) {
                rate.put(type, limits.rate());
            }
        });
        return new KeyLimits(Map.copyOf(concurrency), Map.copyOf(rate));
    }

    public boolean isEmpty() {
        return concurrency.isEmpty() && rate.isEmpty();
    }

    boolean hasRates() {
        return !rate.isEmpty();
    }

    /** Every limited type, as an SQL list. */
    String typeList() {
        java.util.Set<String> types = new java.util.TreeSet<>(concurrency.keySet());
        types.addAll(rate.keySet());
        return list(List.copyOf(types));
    }

    /**
     * The due jobs of the limited types whose keys have room, round-robin over keys (a key's first job, then every
     * key's second, ...). Concurrency: a key uses a slot for each job RUNNING or published and not yet claimed (not
     * one held back by a pause: 'infinity'). Rate: a key may have as many published and unclaimed as its bucket has
     * whole tokens now. FOR UPDATE cannot go with a window function; the outer WHERE checks each row again instead,
     * so two dispatchers never take one job. Parameters: {@code :now}, {@code :limit}.
     */
    String dueStatement() {
        String now = "CAST(:now AS timestamptz)";
        return """
                UPDATE jobs SET dispatched_at = CAST(:now AS timestamptz)
                WHERE id IN (SELECT c.id
                             FROM (SELECT d.id, d.type, d.priority_rank, d.run_at, {ck-d} AS ck, {rk-d} AS rk,
                                          row_number() OVER (PARTITION BY d.type, {ck-d} ORDER BY d.priority_rank, d.run_at) AS nth,
                                          row_number() OVER (PARTITION BY d.type, {rk-d} ORDER BY d.priority_rank, d.run_at) AS rnth
                                   FROM jobs d
                                   WHERE d.status IN {claimable} AND d.dispatched_at IS NULL
                                     AND d.run_at <= CAST(:now AS timestamptz) AND d.type IN {types}) c
                             LEFT JOIN (SELECT r.type, {ck-r} AS k, count(*) AS used FROM jobs r
                                        WHERE {conc-r} AND (r.status = 'RUNNING'
                                              OR (r.status IN {claimable} AND r.dispatched_at IS NOT NULL
                                                  AND r.dispatched_at <> 'infinity'))
                                        GROUP BY 1, 2) u ON u.type = c.type AND u.k IS NOT DISTINCT FROM c.ck
                             LEFT JOIN (SELECT r.type, {rk-r} AS k, count(*) AS inflight FROM jobs r
                                        WHERE {rate-r} AND r.status IN {claimable} AND r.dispatched_at IS NOT NULL
                                          AND r.dispatched_at <> 'infinity'
                                        GROUP BY 1, 2) f ON f.type = c.type AND f.k IS NOT DISTINCT FROM c.rk
                             LEFT JOIN rate_buckets b ON b.type = c.type AND b.key = coalesce(c.rk, '')
                             WHERE (NOT {conc-c} OR coalesce(u.used, 0) + c.nth <= {max-c})
                               AND (NOT {rate-c} OR coalesce(f.inflight, 0) + c.rnth <= floor({tokens}))
                             ORDER BY CASE WHEN {conc-c} THEN c.nth ELSE c.rnth END, c.priority_rank, c.run_at
                             LIMIT :limit)
                  AND status IN {claimable} AND dispatched_at IS NULL
                RETURNING job_id, type, priority, priority_rank, run_at, payload_size_bytes,
                          marketplace, category, region
                """
                .replace("{tokens}", tokens("c", "b", now))
                .replace("{claimable}", CLAIMABLE).replace("{types}", typeList())
                .replace("{ck-d}", concurrencyKey("d")).replace("{rk-d}", rateKey("d"))
                .replace("{ck-r}", concurrencyKey("r")).replace("{rk-r}", rateKey("r"))
                .replace("{conc-r}", isConcurrencyLimited("r")).replace("{rate-r}", isRateLimited("r"))
                .replace("{conc-c}", isConcurrencyLimited("c")).replace("{rate-c}", isRateLimited("c"))
                .replace("{max-c}", max("c"));
    }

    /**
     * The advisory lock of each limited key among a claim's jobs (parameter: the job ids), in one order so two
     * claimers never deadlock; held to the commit, so what the claim statement then reads of a key (its RUNNING jobs,
     * its bucket) no other claimer changes before this one's commit.
     */
    String lockStatement() {
        return """
                SELECT count(pg_advisory_xact_lock({class}, hashtext(l.k)))
                FROM (SELECT DISTINCT k FROM (
                          SELECT CASE WHEN {conc-x} THEN x.type || ':c:' || coalesce({ck-x}, '') END AS k
                          FROM jobs x WHERE x.job_id = ANY (?::text[])
                          UNION ALL
                          SELECT CASE WHEN {rate-x} THEN x.type || ':r:' || coalesce({rk-x}, '') END
                          FROM jobs x WHERE x.job_id = ANY (?::text[])) a
                      WHERE k IS NOT NULL ORDER BY k) l
                """.replace("{class}", String.valueOf(LOCK_CLASS))
                .replace("{conc-x}", isConcurrencyLimited("x")).replace("{rate-x}", isRateLimited("x"))
                .replace("{ck-x}", concurrencyKey("x")).replace("{rk-x}", rateKey("x"));
    }

    /**
     * The claim statement's set {@code t(job_id, lane[, nth, rnth])}: each asked job once (the first asker's lane)
     * and, with limits, its place among the set's claimable jobs of its concurrency key and of its rate key.
     */
    String claimSet() {
        String asked = "(SELECT DISTINCT ON (job_id) job_id, lane FROM unnest(?::text[], ?::text[]) AS u(job_id, lane))";
        if (isEmpty()) {
            return asked;
        }
        return "(SELECT s.job_id, s.lane,"
                + " row_number() OVER (PARTITION BY x.type, " + concurrencyKey("x") + " ORDER BY s.job_id) AS nth,"
                + " row_number() OVER (PARTITION BY x.type, " + rateKey("x") + " ORDER BY s.job_id) AS rnth"
                + " FROM " + asked + " s JOIN jobs x ON x.job_id = s.job_id AND x.status IN " + CLAIMABLE + ")";
    }

    /**
     * The claim statement's limits: a concurrency-limited job's key has room for it (its RUNNING jobs plus its place
     * in the set), and a rate-limited job's bucket has a whole token for it (its place in the set). The rate's
     * condition ends with a parameter, the service's now.
     */
    String claimCondition() {
        if (isEmpty()) {
            return "";
        }
        StringBuilder sql = new StringBuilder();
        if (!concurrency.isEmpty()) {
            sql.append("\n  AND (NOT ").append(isConcurrencyLimited("j"))
                    .append(" OR (SELECT count(*) FROM jobs r WHERE r.status = 'RUNNING' AND r.type = j.type AND ")
                    .append(concurrencyKey("r")).append(" IS NOT DISTINCT FROM ").append(concurrencyKey("j"))
                    .append(") + t.nth <= ").append(max("j")).append(")");
        }
        if (!rate.isEmpty()) {
            sql.append("\n  AND (NOT ").append(isRateLimited("j")).append(" OR t.rnth <= floor((SELECT ")
                    .append(tokens("j", "b", "?::timestamptz")).append(" FROM (SELECT 1) one LEFT JOIN rate_buckets b")
                    .append(" ON b.type = j.type AND b.key = coalesce(").append(rateKey("j")).append(", ''))))");
        }
        return sql.toString();
    }

    /**
     * After a claim, under its locks: each rate-limited key's bucket loses one token per job claimed (parameters: the
     * service's now twice, the claimed job ids).
     */
    String bucketUpdate() {
        return """
                INSERT INTO rate_buckets (type, key, tokens, refilled_at)
                SELECT g.type, g.key, {tokens} - g.n, ?::timestamptz
                FROM (SELECT x.type, coalesce({rk-x}, '') AS key, count(*) AS n FROM jobs x
                      WHERE x.job_id = ANY (?::text[]) AND {rate-x} GROUP BY 1, 2) g
                LEFT JOIN rate_buckets b ON b.type = g.type AND b.key = g.key
                ON CONFLICT (type, key) DO UPDATE SET tokens = EXCLUDED.tokens, refilled_at = EXCLUDED.refilled_at
                """.replace("{tokens}", tokens("g", "b", "?::timestamptz"))
                .replace("{rk-x}", rateKey("x")).replace("{rate-x}", isRateLimited("x"));
    }

    /**
     * The tokens of the bucket {@code bucket} (a row of rate_buckets, or nulls: a key never claimed has a full
     * bucket) of the job type of {@code alias}, refilled up to {@code now}, at most the burst.
     */
    private String tokens(String alias, String bucket, String now) {
        String perSecond = byType(rate, alias, limit -> String.valueOf(limit.perSecond()));
        String burst = byType(rate, alias, limit -> String.valueOf(limit.burst()));
        return "least(coalesce(" + bucket + ".tokens + extract(epoch FROM (" + now + " - " + bucket + ".refilled_at)) * "
                + perSecond + ", " + burst + "), " + burst + ")";
    }

    private String concurrencyKey(String alias) {
        return byType(concurrency, alias, limit -> keyOf(alias, limit.key()));
    }

    private String rateKey(String alias) {
        return byType(rate, alias, limit -> keyOf(alias, limit.key()));
    }

    private String max(String alias) {
        return byType(concurrency, alias, limit -> String.valueOf(limit.max()));
    }

    private String isConcurrencyLimited(String alias) {
        return concurrency.isEmpty() ? "false" : alias + ".type IN " + list(List.copyOf(concurrency.keySet()));
    }

    private String isRateLimited(String alias) {
        return rate.isEmpty() ? "false" : alias + ".type IN " + list(List.copyOf(rate.keySet()));
    }

    /** A CASE over the job type of {@code alias}: the value for each type of {@code limits}, else NULL. */
    private static <L> String byType(Map<String, L> limits, String alias, Function<L, String> value) {
        if (limits.isEmpty()) {
            return "NULL";
        }
        StringBuilder sql = new StringBuilder("CASE ").append(alias).append(".type");
        limits.forEach((type, limit) -> sql.append(" WHEN ").append(literal(type)).append(" THEN ")
                .append(value.apply(limit)));
        return sql.append(" END").toString();
    }

    private static String keyOf(String alias, String key) {
        // the key was checked at start to be 'tenant' or a plain field name (ConveyorProperties.validate)
        return key.equals("tenant") ? alias + ".tenant_id" : "(" + alias + ".payload ->> " + literal(key) + ")";
    }

    private static String list(List<String> names) {
        return "(" + String.join(", ", names.stream().map(KeyLimits::literal).toList()) + ")";
    }

    private static String literal(String text) {
        return "'" + text.replace("'", "''") + "'";
    }
}
