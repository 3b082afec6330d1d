package dev.conveyor.telemetry;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import dev.conveyor.job.Job;
import dev.conveyor.job.JobLifecycle;
import dev.conveyor.support.Api;
import dev.conveyor.support.ConveyorIntegrationTest;
import dev.conveyor.support.CsvJobs;
import dev.conveyor.support.RunningServiceTest;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every {@code ```sql} block of docs/monitoring.md runs against the real schema after real jobs (a success, a
 * partial success, a failure, one waiting and one running) and answers what the doc says it answers.
 * A query the schema no longer supports fails here, not in an operator's terminal.
 */
@ConveyorIntegrationTest
class MonitoringQueriesTest extends RunningServiceTest {

    static final Path DOC = Path.of("docs", "monitoring.md");
    /** The doc's placeholder convention: a psql variable, {@code :'job_id'}. */
    static final String JOB_ID_PLACEHOLDER = ":'job_id'";
    /** This test's jobs' own marketplace, so per-marketplace numbers are exactly theirs. */
    static final String MARKETPLACE = "mon_" + Long.toHexString(System.nanoTime());

    @Autowired
    JobLifecycle lifecycle;

    @Autowired
    JobDailyStats dailyStats;

    /** One query of the doc: the heading above its block, and its text. */
    record DocQuery(String title, String sql) {
    }

    /** What the jobs run before the queries are. */
    record Jobs(String success, String partial, String failed, String waiting, String running) {
    }

    @Test
    void theDocHasTheNineQueriesAnOperatorNeedsEachUnderItsOwnTitle() throws IOException {
        List<DocQuery> queries = queries();

        assertThat(queries).extracting(DocQuery::title).doesNotHaveDuplicates().hasSize(9);
        assertThat(queries).allSatisfy(query -> assertThat(query.sql()).isNotBlank());
        assertThat(String.join("\n", queries.stream().map(DocQuery::sql).toList()).replace(JOB_ID_PLACEHOLDER, ""))
                .as("no placeholder but :'job_id'").doesNotContain(":'").doesNotContainPattern("(?<!:):[a-z_]+\\b");
    }

    @TestFactory
    Stream<DynamicTest> everyQueryOfTheDocRunsAgainstTheSchemaAndAnswersAboutTheJobsThatRan() throws IOException {
        Jobs jobs = runJobs();
        Map<String, Consumer<List<Map<String, Object>>>> checks = checks(jobs);
        List<DynamicTest> tests = new ArrayList<>();
        for (DocQuery query : queries()) {
            tests.add(DynamicTest.dynamicTest(query.title(), () -> {
                List<Map<String, Object>> rows = run(query, jobs);
                assertThat(rows).as("rows of \"" + query.title() + "\"").isNotEmpty();
                checks.entrySet().stream().filter(check -> query.title().startsWith(check.getKey()))
                        .findFirst().orElseThrow(() -> new AssertionError("no check for \"" + query.title()
                                + "\": add one to MonitoringQueriesTest"))
                        .getValue().accept(rows);
            }));
        }
        return tests.stream();
    }

    /**
     * What each query must show about the jobs this test ran. The service (and its schema) is shared with
     * other test classes, so these look for this test's jobs among the rows, or at its own marketplace.
     */
    private Map<String, Consumer<List<Map<String, Object>>>> checks(Jobs jobs) {
        Map<String, Consumer<List<Map<String, Object>>>> checks = new LinkedHashMap<>();
        checks.put("Status overview", rows -> assertThat(rows)
                .filteredOn(row -> "csv_validation".equals(row.get("type")) && ((Long) row.get("jobs")) >= 1)
                .extracting(row -> row.get("status"))
                .contains("SUCCESS", "PARTIAL_SUCCESS", "FAILED", "QUEUED", "RUNNING"));
        checks.put("Failed jobs", rows -> assertThat(rows).filteredOn(row -> jobs.failed().equals(row.get("job_id")))
                .singleElement().satisfies(row -> {
                    assertThat(row.get("status")).isEqualTo("FAILED");
                    assertThat((String) row.get("error_message")).contains("missing column(s) price");
                    assertThat(row.get("retry_count")).isEqualTo(0);
                    assertThat(row.get("attempts")).isEqualTo(1);
                    assertThat(row.get("completed_at")).isNotNull();
                }));
        checks.put("Jobs in progress", rows -> assertThat(rows)
                .filteredOn(row -> jobs.running().equals(row.get("job_id"))).singleElement().satisfies(row -> {
                    assertThat(row.get("lane")).isEqualTo("normal");
                    assertThat(((Number) row.get("progress")).intValue()).isEqualTo(40);
                    assertThat(row.get("started_at")).isNotNull();
                    assertThat(row.get("lease_expired")).isEqualTo(false);
                }));
        checks.put("Success rate", rows -> assertThat(rows)
                .filteredOn(row -> "csv_validation".equals(row.get("type"))).singleElement().satisfies(row -> {
                    assertThat((Long) row.get("finished")).isGreaterThanOrEqualTo(3);
                    assertThat((Long) row.get("succeeded")).isGreaterThanOrEqualTo(1);
                    assertThat((Long) row.get("partly_succeeded")).isGreaterThanOrEqualTo(1);
                    assertThat((Long) row.get("failed")).isGreaterThanOrEqualTo(1);
                    assertThat((BigDecimal) row.get("success_pct")).isBetween(BigDecimal.ONE, new BigDecimal("99.9"));
                    assertThat((BigDecimal) row.get("clean_pct")).isLessThan((BigDecimal) row.get("success_pct"));
                }));
        checks.put("Row error rate by marketplace", rows -> assertThat(rows)
                .filteredOn(row -> MARKETPLACE.equals(row.get("marketplace"))).singleElement().satisfies(row -> {
                    // the success (3 rows, none bad) and the partial success (5 rows, 2 bad); the wrong header
                    // failed before reading a row, so it has no counts
                    assertThat(row.get("validations")).isEqualTo(2L);
                    assertThat(((Number) row.get("total_rows")).longValue()).isEqualTo(8);
                    assertThat(((Number) row.get("error_rows")).longValue()).isEqualTo(2);
                    assertThat((BigDecimal) row.get("error_rate")).isEqualByComparingTo("0.25");
                }));
        checks.put("Slowest jobs", rows -> assertThat(rows).hasSizeLessThanOrEqualTo(20).allSatisfy(row -> {
            assertThat(row.get("total_time")).isNotNull();
            assertThat(Api.isFinal((String) row.get("status"))).as("finished").isTrue();
        }));
        checks.put("Events of one job", rows -> assertThat(rows).extracting(row -> row.get("event_type"))
                .containsExactly("job.queued", "job.started", "job.completed"));
        checks.put("Queue depth", rows -> assertThat(rows)
                .filteredOn(row -> "(first attempt)".equals(row.get("lane")) && "normal".equals(row.get("priority"))
                        && "QUEUED".equals(row.get("status"))).singleElement().satisfies(row -> {
                    assertThat((Long) row.get("waiting")).isGreaterThanOrEqualTo(1);
                    assertThat((Long) row.get("scheduled")).isGreaterThanOrEqualTo(1);
                }));
        checks.put("Jobs per day by marketplace and type, from the daily aggregate", rows -> assertThat(rows)
                .filteredOn(row -> MARKETPLACE.equals(row.get("marketplace"))).singleElement().satisfies(row -> {
                    // the three finished jobs; the waiting and the running one have no final status yet
                    assertThat(row.get("type")).isEqualTo("csv_validation");
                    assertThat(((Number) row.get("jobs")).longValue()).isEqualTo(3);
                    assertThat(((Number) row.get("succeeded")).longValue()).isEqualTo(2);
                    assertThat(((Number) row.get("failed")).longValue()).isEqualTo(1);
                    assertThat((BigDecimal) row.get("success_rate")).isEqualByComparingTo("0.6667");
                    assertThat(((Number) row.get("total_rows")).longValue()).isEqualTo(8);
                    assertThat((BigDecimal) row.get("error_rate")).isEqualByComparingTo("0.25");
                    assertThat(((Number) row.get("worst_latency_p95_ms")).longValue()).isPositive();
                }));
        return checks;
    }

    /** A success, a partial success, a failure by a wrong header; one job scheduled for later, one running. */
    private Jobs runJobs() {
        String success = api.submit(CsvJobs.inline(MARKETPLACE, "toys", CsvJobs.CLEAN));
        String partial = api.submit(CsvJobs.inline(MARKETPLACE, "toys", CsvJobs.TWO_BAD_ROWS));
        String failed = api.submit(CsvJobs.inline(MARKETPLACE, "toys", "sku,title,cost,quantity\nA,B,1,2\n"));
        assertThat(api.awaitFinished(success).get("status").asText()).isEqualTo("SUCCESS");
        assertThat(api.awaitFinished(partial).get("status").asText()).isEqualTo("PARTIAL_SUCCESS");
        assertThat(api.awaitFinished(failed).get("status").asText()).isEqualTo("FAILED");
        // what the maintenance route does every TELEMETRY_MAINTENANCE_PERIOD_MS, now rather than in 15 minutes
        dailyStats.refresh();

        String later = "{\"run_at\":\"" + Instant.now().plusSeconds(3600) + "\",";
        String waiting = api.submit(CsvJobs.inline(CsvJobs.CLEAN).replaceFirst("\\{", later));
        // a worker's claim and progress report, through the service's own lifecycle, on a job not yet due
        // (so no lane consumer runs it to its end while the queries look at it)
        String running = api.submit(CsvJobs.inline(CsvJobs.CLEAN).replaceFirst("\\{", later));
        Job claimed = lifecycle.claim(running, "normal").orElseThrow();
        assertThat(lifecycle.heartbeat(claimed, 40)).isTrue();
        return new Jobs(success, partial, failed, waiting, running);
    }

    private List<Map<String, Object>> run(DocQuery query, Jobs jobs) {
        String sql = query.sql().trim().replaceAll(";$", "");
        if (!sql.contains(JOB_ID_PLACEHOLDER)) {
            return jdbc.queryForList(sql);
        }
        // a bind parameter per placeholder; a '?' of the query itself (a jsonb operator) is escaped as '??'
        sql = sql.replace("?", "??");
        List<Object> args = new ArrayList<>();
        while (sql.contains(JOB_ID_PLACEHOLDER)) {
            sql = sql.replaceFirst(Pattern.quote(JOB_ID_PLACEHOLDER), "?");
            args.add(jobs.success());
        }
        return jdbc.queryForList(sql, args.toArray());
    }

    /** The {@code ```sql} blocks of the doc, each titled by the nearest heading above it. */
    static List<DocQuery> queries() throws IOException {
        List<DocQuery> queries = new ArrayList<>();
        String title = null;
        StringBuilder sql = null;
        for (String line : Files.readAllLines(DOC)) {
            if (sql != null) {
                if (line.trim().equals("```")) {
                    assertThat(title).as("a title above the query " + sql).isNotNull();
                    queries.add(new DocQuery(title, sql.toString()));
                    sql = null;
                } else {
                    sql.append(line).append('\n');
                }
            } else if (line.trim().equals("```sql")) {
                sql = new StringBuilder();
            } else if (line.startsWith("#")) {
                title = line.replaceFirst("^#+\\s*", "").trim();
            }
        }
        assertThat(sql).as("an unclosed ```sql block in " + DOC).isNull();
        return queries;
    }
}
