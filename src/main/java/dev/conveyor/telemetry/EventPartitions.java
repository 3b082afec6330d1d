package dev.conveyor.telemetry;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Keeps the monthly partitions of job_events (V6__partitioned_job_events.sql): those of the current month and the
 * next {@code partitions-ahead} exist, rows that fell into the DEFAULT partition are moved into a partition of
 * their month, and whole months older than {@code retention-days} are dropped. Called by the
 * {@code event-partition-maintenance} route.
 * <p>
 * Months are calendar months in UTC; a partition is named {@code job_events_pYYYYMM} and holds
 * {@code [first day 00:00Z, first day of the next month 00:00Z)}. Only partitions named so are ever dropped.
 * <p>
 * Several instances may run this at once. A partition is created in one transaction that first locks the
 * default partition and then checks whether the partition exists: creators queue on that lock and the later
 * ones find the work done. Drops are {@code DROP TABLE IF EXISTS}. Every DDL statement waits at most
 * {@value #LOCK_TIMEOUT} for its lock, so event writers (the jobs' own transactions) are never held up for
 * longer; a step that timed out is logged and done at the next run.
 */
@Component("eventPartitions")
public class EventPartitions {

    static final String TABLE = "job_events";
    static final String DEFAULT_PARTITION = "job_events_default";
    static final String LOCK_TIMEOUT = "2s";
    private static final DateTimeFormatter LITERAL = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssXXX");
    private static final Pattern MONTHLY = Pattern.compile("job_events_p(\\d{4})(\\d{2})");

    private static final Logger log = LoggerFactory.getLogger(EventPartitions.class);

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final EventStoreProperties properties;

    public EventPartitions(JdbcTemplate jdbc, TransactionTemplate tx, EventStoreProperties properties) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.properties = properties;
    }

    /**
     * What one run did. {@code created}: partitions created (with {@code movedRows} rows moved out of the
     * default partition into them); {@code dropped}: partitions dropped; {@code expiredRows}: rows deleted from
     * the default partition because their month is past retention; {@code failedSteps}: steps that failed and
     * are retried at the next run.
     */
    public record Report(List<YearMonth> created, long movedRows, List<YearMonth> dropped, long expiredRows,
                         int failedSteps) {
    }

    public Report maintain() {
        return maintain(Instant.now());
    }

    /** One run as of {@code now}; each step is its own transaction, and one that fails does not stop the rest. */
    public Report maintain(Instant now) {
        YearMonth current = YearMonth.from(now.atOffset(ZoneOffset.UTC));
        Instant cutoff = now.minus(Duration.ofDays(properties.retentionDays()));
        // a month is kept while any of it is younger than the cutoff: the month holding the cutoff is the oldest kept
        YearMonth oldestKept = YearMonth.from(cutoff.atOffset(ZoneOffset.UTC));
        List<YearMonth> created = new ArrayList<>();
        List<YearMonth> dropped = new ArrayList<>();
        long moved = 0;
        int failed = 0;

        if (attempt("make sure the default partition exists", () -> jdbc.update("CREATE TABLE IF NOT EXISTS "
                + DEFAULT_PARTITION + " PARTITION OF " + TABLE + " DEFAULT")).isEmpty()) {
            failed++;
        }
        Optional<Long> expired = attempt("delete expired events from " + DEFAULT_PARTITION, () -> inTransaction(() ->
                (long) jdbc.update("DELETE FROM " + DEFAULT_PARTITION + " WHERE created_at < ?", start(oldestKept))));
        if (expired.isEmpty()) {
            failed++;
        } else if (expired.get() > 0) {
            log.info("deleted {} events older than {} from {} (retention {} days)", expired.get(),
                    literal(start(oldestKept)), DEFAULT_PARTITION, properties.retentionDays());
        }
        // the months ahead, and any month still kept whose rows landed in the default partition
        List<YearMonth> wanted = new ArrayList<>();
        for (int ahead = 0; ahead <= properties.partitionsAhead(); ahead++) {
            wanted.add(current.plusMonths(ahead));
        }
        Optional<List<YearMonth>> stranded = attempt("list the months in " + DEFAULT_PARTITION,
                this::monthsInDefaultPartition);
        if (stranded.isEmpty()) {
            failed++;
        }
        stranded.orElse(List.of()).stream()
                .filter(month -> !month.isBefore(oldestKept) && !wanted.contains(month))
                .forEach(wanted::add);
        for (YearMonth month : wanted) {
            Optional<Created> result = attempt("create partition " + name(month), () -> create(month));
            if (result.isEmpty()) {
                failed++;
            } else if (result.get().created()) {
                created.add(month);
                moved += result.get().movedRows();
                log.info("created partition {} of {} for [{}, {}){}", name(month), TABLE, literal(start(month)),
                        literal(start(month.plusMonths(1))), result.get().movedRows() == 0 ? ""
                                : ", moving " + result.get().movedRows() + " events into it from " + DEFAULT_PARTITION);
            }
        }
        Optional<List<YearMonth>> existing = attempt("list the partitions of " + TABLE, this::monthlyPartitions);
        if (existing.isEmpty()) {
            failed++;
        }
        for (YearMonth month : existing.orElse(List.of())) {
            if (!month.isBefore(oldestKept)) {
                continue;
            }
            if (attempt("drop partition " + name(month), () -> drop(month)).isEmpty()) {
                failed++;
            } else {
                dropped.add(month);
                log.info("dropped partition {} of {}: its events, of [{}, {}), are past the retention of {} days",
                        name(month), TABLE, literal(start(month)), literal(start(month.plusMonths(1))),
                        properties.retentionDays());
            }
        }
        Report report = new Report(List.copyOf(created), moved, List.copyOf(dropped), expired.orElse(0L), failed);
        log.debug("{} maintenance: {}", TABLE, report);
        return report;
    }

    /** The outcome of {@link #create}: whether the partition was created, and how many rows were moved into it. */
    public record Created(boolean created, long movedRows) {
    }

    /**
     * Creates the partition of {@code month} unless it exists, moving into it the rows of that month that are in
     * the default partition (a range may not be attached while the default partition holds rows in it).
     */
    public Created create(YearMonth month) {
        String name = name(month);
        OffsetDateTime from = start(month);
        OffsetDateTime to = start(month.plusMonths(1));
        return inTransaction(() -> {
            // every creator takes this lock first, so the existence check below cannot race another instance; it
            // also keeps event writers from adding rows of this month to the default partition until the commit
            jdbc.execute("LOCK TABLE " + DEFAULT_PARTITION + " IN ACCESS EXCLUSIVE MODE");
            Boolean exists = jdbc.queryForObject("SELECT to_regclass(?) IS NOT NULL", Boolean.class, name);
            if (Boolean.TRUE.equals(exists)) {
                return new Created(false, 0);
            }
            jdbc.execute("CREATE TABLE " + name + " (LIKE " + TABLE + " INCLUDING DEFAULTS)");
            long moved = jdbc.update("WITH moved AS (DELETE FROM " + DEFAULT_PARTITION
                    + " WHERE created_at >= ? AND created_at < ?"
                    + " RETURNING event_id, event_type, job_id, created_at, payload) "
                    + "INSERT INTO " + name + " (event_id, event_type, job_id, created_at, payload) "
                    + "SELECT event_id, event_type, job_id, created_at, payload FROM moved", from, to);
            // attaching builds the partition's copies of the parent's indexes and primary key
            jdbc.execute("ALTER TABLE " + TABLE + " ATTACH PARTITION " + name + " FOR VALUES FROM ('"
                    + literal(from) + "') TO ('" + literal(to) + "')");
            return new Created(true, moved);
        });
    }

    /** The months that have a {@code job_events_pYYYYMM} partition, oldest first. */
    public List<YearMonth> monthlyPartitions() {
        List<String> names = jdbc.queryForList("""
                SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                WHERE i.inhparent = CAST(? AS regclass)
                ORDER BY c.relname
                """, String.class, TABLE);
        List<YearMonth> months = new ArrayList<>();
        for (String name : names) {
            Matcher matcher = MONTHLY.matcher(name);
            if (matcher.matches()) {
                months.add(YearMonth.of(Integer.parseInt(matcher.group(1)), Integer.parseInt(matcher.group(2))));
            }
        }
        return months;
    }

    /** The name of a month's partition. */
    public static String name(YearMonth month) {
        return String.format("job_events_p%04d%02d", month.getYear(), month.getMonthValue());
    }

    private List<YearMonth> monthsInDefaultPartition() {
        return jdbc.queryForList("SELECT DISTINCT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM') FROM "
                + DEFAULT_PARTITION, String.class).stream().map(YearMonth::parse).toList();
    }

    private boolean drop(YearMonth month) {
        return inTransaction(() -> {
            jdbc.execute("DROP TABLE IF EXISTS " + name(month));
            return true;
        });
    }

    /** Runs one step in a transaction whose lock waits are bounded by {@link #LOCK_TIMEOUT}. */
    private <T> T inTransaction(Supplier<T> work) {
        return tx.execute(status -> {
            jdbc.execute("SET LOCAL lock_timeout = '" + LOCK_TIMEOUT + "'");
            return work.get();
        });
    }

    /**
     * Runs a step that returns a value; a database error is logged and gives empty, so the other steps still
     * run and this one is tried again at the next run.
     */
    private static <T> Optional<T> attempt(String what, Supplier<T> work) {
        try {
            return Optional.of(work.get());
        } catch (DataAccessException e) {
            log.warn("{} maintenance could not {}; it is tried again at the next run: {}", TABLE, what,
                    e.getMostSpecificCause().getMessage());
            return Optional.empty();
        }
    }

    /** A timestamp as a literal PostgreSQL reads the same whatever the session's time zone. */
    private static String literal(OffsetDateTime time) {
        return time.format(LITERAL);
    }

    private static OffsetDateTime start(YearMonth month) {
        return month.atDay(1).atStartOfDay().atOffset(ZoneOffset.UTC);
    }
}
