package dev.conveyor.telemetry;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.support.Api;
import dev.conveyor.support.ConveyorIntegrationTest;
import dev.conveyor.support.CsvJobs;
import dev.conveyor.support.RunningServiceTest;
import org.apache.camel.CamelContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The partitioned job_events table and its maintenance, on real PostgreSQL: partitions ahead are created at
 * start-up (six months ahead here, more than the migration's three, so only the route can have made them), old
 * months are dropped whole while recent events stay, rows that fell into the default partition end up in their
 * month's partition, and running the maintenance again, or twice at once, is harmless.
 */
@Tag("slow") // a Spring context of its own (partition maintenance by hand)
@ConveyorIntegrationTest
@TestPropertySource(properties = {
        "conveyor.telemetry.store.partitions-ahead=6",
        // only the start-up run happens by itself; the tests call the bean
        "conveyor.telemetry.store.maintenance-period-ms=3600000"})
// properties of its own make a context no other class shares: close it after the class rather than keep its
// connection pool open for the rest of the suite
@DirtiesContext
class EventPartitionsTest extends RunningServiceTest {

    static final int AHEAD = 6;
    static final int RETENTION_DAYS = 90;

    @Autowired
    EventPartitions partitions;

    @Autowired
    CamelContext camel;

    /**
     * The start-up run creates the months ahead last of all but the drops, so once they are there it cannot take
     * part in what a test does next.
     */
    @BeforeEach
    void awaitTheStartUpRun() {
        YearMonth current = YearMonth.now(ZoneOffset.UTC);
        List<YearMonth> ahead = Stream.iterate(current, month -> month.plusMonths(1)).limit(AHEAD + 1).toList();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> assertThat(partitions.monthlyPartitions()).containsAll(ahead));
    }

    @Test
    void theStartUpRunCreatesThePartitionsAheadAndJobEventsGoToTheirMonth() {
        assertThat(camel.getRoute("event-partition-maintenance")).as("the maintenance route").isNotNull();
        YearMonth current = YearMonth.now(ZoneOffset.UTC);
        // the migration made three months ahead; the other three are the route's
        assertThat(partitions.monthlyPartitions()).contains(current.plusMonths(AHEAD));
        assertThat(defaultPartitionRows()).isZero();

        // a real job's events are written by JdbcEventStore into the current month's partition and read back
        String jobId = api.submit(CsvJobs.inline(CsvJobs.CLEAN));
        assertThat(api.awaitFinished(jobId).get("status").asText()).isEqualTo("SUCCESS");
        assertThat(jdbc.queryForList("SELECT DISTINCT tableoid::regclass::text FROM job_events WHERE job_id = ?",
                String.class, jobId)).containsExactly(EventPartitions.name(current));
        JsonNode events = Api.json(api.get("/jobs/" + jobId + "/events")).get("events");
        assertThat(events).extracting(event -> event.get("event_type").asText())
                .containsExactly("job.queued", "job.started", "job.completed");
    }

    @Test
    void aMonthPastTheRetentionIsDroppedWholeWhileRecentEventsStay() {
        Instant now = Instant.now();
        YearMonth old = YearMonth.from(now.minus(200, ChronoUnit.DAYS).atOffset(ZoneOffset.UTC));
        // the month holding now - retention still has events younger than the retention: it stays
        YearMonth oldestKept = YearMonth.from(now.minus(RETENTION_DAYS, ChronoUnit.DAYS).atOffset(ZoneOffset.UTC));
        partitions.create(old);
        partitions.create(oldestKept);
        UUID oldEvent = insertEvent(start(old).plus(10, ChronoUnit.DAYS));
        // older than the retention, but its month is not: partitions go whole, so it stays
        UUID keptEvent = insertEvent(start(oldestKept).plus(1, ChronoUnit.MINUTES));
        UUID recentEvent = insertEvent(now.minus(1, ChronoUnit.HOURS));
        assertThat(partitionOf(oldEvent)).isEqualTo(EventPartitions.name(old));

        EventPartitions.Report report = partitions.maintain(now);

        assertThat(report.failedSteps()).isZero();
        assertThat(report.dropped()).contains(old).doesNotContain(oldestKept);
        assertThat(partitions.monthlyPartitions()).doesNotContain(old).contains(oldestKept);
        assertThat(exists(EventPartitions.name(old))).isFalse();
        assertThat(eventExists(oldEvent)).isFalse();
        assertThat(eventExists(keptEvent)).isTrue();
        assertThat(eventExists(recentEvent)).isTrue();
        assertThat(partitionOf(keptEvent)).isEqualTo(EventPartitions.name(oldestKept));
    }

    @Test
    void eventsThatFellIntoTheDefaultPartitionEndUpInTheirMonthsPartitionOrExpire() {
        Instant now = Instant.now();
        YearMonth farAhead = YearMonth.now(ZoneOffset.UTC).plusMonths(AHEAD + 4);
        YearMonth lastMonths = YearMonth.from(now.minus(40, ChronoUnit.DAYS).atOffset(ZoneOffset.UTC));
        assertThat(partitions.monthlyPartitions()).as("no partition yet for these months")
                .doesNotContain(farAhead, lastMonths);
        UUID future = insertEvent(start(farAhead).plus(3, ChronoUnit.DAYS));
        UUID past = insertEvent(now.minus(40, ChronoUnit.DAYS));
        UUID expired = insertEvent(now.minus(RETENTION_DAYS + 40, ChronoUnit.DAYS));
        // an insert never fails for want of a partition: the default partition takes what has none
        assertThat(partitionOf(future)).isEqualTo(EventPartitions.DEFAULT_PARTITION);
        assertThat(partitionOf(past)).isEqualTo(EventPartitions.DEFAULT_PARTITION);

        EventPartitions.Report report = partitions.maintain(now);

        assertThat(report.failedSteps()).isZero();
        assertThat(report.created()).contains(farAhead, lastMonths);
        assertThat(report.movedRows()).isGreaterThanOrEqualTo(2);
        assertThat(report.expiredRows()).isGreaterThanOrEqualTo(1);
        assertThat(partitionOf(future)).isEqualTo(EventPartitions.name(farAhead));
        assertThat(partitionOf(past)).isEqualTo(EventPartitions.name(lastMonths));
        assertThat(eventExists(expired)).isFalse();
        assertThat(defaultPartitionRows()).isZero();
        // the moved partition has the parent's indexes and primary key
        assertThat(jdbc.queryForObject("SELECT count(*) FROM pg_indexes WHERE schemaname = current_schema() "
                + "AND tablename = ?", Long.class,
                EventPartitions.name(farAhead))).isEqualTo(3);
    }

    @Test
    void runningTheMaintenanceAgainOrTwiceAtOnceIsHarmless() {
        Instant now = Instant.now();
        YearMonth stranded = YearMonth.now(ZoneOffset.UTC).plusMonths(AHEAD + 8);
        UUID event = insertEvent(start(stranded).plus(1, ChronoUnit.DAYS));

        // two instances at once: one creates the partition and moves the row, the other finds it done
        CompletableFuture<EventPartitions.Report> first = CompletableFuture.supplyAsync(() -> partitions.maintain(now));
        CompletableFuture<EventPartitions.Report> second = CompletableFuture.supplyAsync(() -> partitions.maintain(now));
        List<EventPartitions.Report> reports = List.of(first.join(), second.join());

        assertThat(reports).allSatisfy(report -> assertThat(report.failedSteps()).isZero());
        assertThat(reports.stream().filter(report -> report.created().contains(stranded))).hasSize(1);
        assertThat(reports.stream().mapToLong(EventPartitions.Report::movedRows).sum()).isEqualTo(1);
        assertThat(partitionOf(event)).isEqualTo(EventPartitions.name(stranded));
        List<YearMonth> before = partitions.monthlyPartitions();

        EventPartitions.Report again = partitions.maintain(now);

        assertThat(again).isEqualTo(new EventPartitions.Report(List.of(), 0, List.of(), 0, 0));
        assertThat(partitions.monthlyPartitions()).isEqualTo(before);
        assertThat(eventExists(event)).isTrue();
    }

    private UUID insertEvent(Instant createdAt) {
        UUID id = UUID.randomUUID();
        jdbc.update("INSERT INTO job_events (event_id, event_type, job_id, created_at, payload) "
                + "VALUES (?, 'job.queued', 'job_partition_test', ?, '{}'::jsonb)", id, Timestamp.from(createdAt));
        return id;
    }

    private String partitionOf(UUID eventId) {
        return jdbc.queryForObject("SELECT tableoid::regclass::text FROM job_events WHERE event_id = ?",
                String.class, eventId);
    }

    private boolean eventExists(UUID eventId) {
        return jdbc.queryForObject("SELECT count(*) FROM job_events WHERE event_id = ?", Long.class, eventId) == 1;
    }

    private boolean exists(String table) {
        return jdbc.queryForObject("SELECT to_regclass(?) IS NOT NULL", Boolean.class, table);
    }

    private long defaultPartitionRows() {
        return jdbc.queryForObject("SELECT count(*) FROM " + EventPartitions.DEFAULT_PARTITION, Long.class);
    }

    private static Instant start(YearMonth month) {
        return month.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
    }
}
