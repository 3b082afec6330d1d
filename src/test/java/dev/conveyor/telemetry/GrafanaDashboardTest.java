package dev.conveyor.telemetry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.conveyor.support.ConveyorIntegrationTest;
import dev.conveyor.support.CsvJobs;
import dev.conveyor.support.RunningServiceTest;
import dev.conveyor.telemetry.JobMetricsTest.Sample;
import dev.conveyor.telemetry.JobMetricsTest.Scrape;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Grafana dashboard docker-compose provisions ({@code deploy/grafana/dashboards/conveyor.json}) has the
 * panels operators look for, and every metric its queries name is one the running service really exports: a
 * renamed metric fails here, not as an empty panel in production. The annotations are JobMetricsTest's, so they
 * share one running service.
 */
@ConveyorIntegrationTest
class GrafanaDashboardTest extends RunningServiceTest {

    static final Path DASHBOARD = Path.of("deploy/grafana/dashboards/conveyor.json");
    static final Path DATASOURCES = Path.of("deploy/grafana/provisioning/datasources/prometheus.yml");

    /** PromQL words that are not metric names: aggregations, functions, keywords. */
    static final Set<String> PROMQL_WORDS = Set.of("sum", "max", "min", "avg", "count", "rate", "irate", "increase",
            "histogram_quantile", "vector", "by", "without", "and", "or", "unless", "on", "ignoring", "group_left",
            "group_right", "bool", "offset", "label_values", "clamp_min", "topk", "bottomk");
    static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");
    static final Pattern LABEL_MATCHERS = Pattern.compile("\\{[^}]*}");
    static final Pattern RANGE = Pattern.compile("\\[[^]]*]");
    static final Pattern GROUPING = Pattern.compile("\\b(by|without|on|ignoring)\\s*\\([^)]*\\)");
    static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w$.])[a-zA-Z_:][a-zA-Z0-9_:]*");

    @Test
    void itHasThePanelsOperatorsLookFor() throws IOException {
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        assertThat(dashboard.get("uid").asText()).isEqualTo("conveyor");

        assertThat(panel(dashboard, "Job rate")).anyMatch(expr -> expr.contains("conveyor_jobs_submitted_total"))
                .anyMatch(expr -> expr.contains("rate(conveyor_jobs_finished_total"));
        assertThat(panel(dashboard, "Success rate (5m) by type")).allMatch(expr ->
                expr.contains("status=~\"SUCCESS|PARTIAL_SUCCESS\"") && expr.contains("conveyor_jobs_finished_total"));
        assertThat(panel(dashboard, "Queue depth per lane")).anyMatch(expr -> expr.contains("conveyor_queue_depth"));
        assertThat(panel(dashboard, "p95 job duration")).anyMatch(expr ->
                expr.startsWith("histogram_quantile(0.95") && expr.contains("conveyor_job_duration_seconds_bucket"));
        // dead letters are read from the finished counter, whatever else may count them later
        assertThat(panel(dashboard, "Dead-lettered jobs rate")).anyMatch(expr ->
                expr.contains("rate(conveyor_jobs_finished_total{status=\"DEAD_LETTERED\""));
        assertThat(panel(dashboard, "Camel route exchanges per second")).anyMatch(expr ->
                expr.startsWith("sum by (routeId) (rate(camel_exchanges_total{"));
        assertThat(panel(dashboard, "Camel route failures per second")).anyMatch(expr ->
                expr.startsWith("sum by (routeId) (rate(camel_exchanges_failed_total{"));
    }

    @Test
    void everyPanelAsksTheProvisionedPrometheusDataSource() throws IOException {
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        String uid = new YAMLMapper().readTree(DATASOURCES.toFile()).get("datasources").get(0).get("uid").asText();
        Set<Integer> ids = new TreeSet<>();
        for (JsonNode panel : dashboard.get("panels")) {
            assertThat(ids.add(panel.get("id").asInt())).as("panel ids are unique: " + panel.get("id")).isTrue();
            assertThat(panel.get("datasource").get("uid").asText()).as(panel.get("title").asText()).isEqualTo(uid);
            assertThat(panel.get("targets")).as(panel.get("title").asText()).isNotEmpty();
            for (JsonNode target : panel.get("targets")) {
                assertThat(target.get("datasource").get("uid").asText()).isEqualTo(uid);
            }
        }
    }

    @Test
    void everyMetricItQueriesIsExportedByTheService() throws IOException {
        String jobId = api.submit(CsvJobs.inline(CsvJobs.TWO_BAD_ROWS));
        assertThat(api.awaitFinished(jobId).get("status").asText()).isEqualTo("PARTIAL_SUCCESS");
        Set<String> used = metricNames(new ObjectMapper().readTree(DASHBOARD.toFile()));
        assertThat(used).contains("conveyor_jobs_finished_total", "camel_exchanges_total",
                "conveyor_job_duration_seconds_bucket", "conveyor_queue_depth");

        // the finished job is counted right after its transaction commits
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            Set<String> exported = CamelRouteMetricsTest.scrape(api).samples().stream().map(Sample::name)
                    .collect(Collectors.toSet());
            assertThat(exported).containsAll(used);
        });
    }

    /** The queries of the panel with this title. */
    private static List<String> panel(JsonNode dashboard, String title) {
        for (JsonNode panel : dashboard.get("panels")) {
            if (panel.get("title").asText().equals(title)) {
                List<String> queries = new ArrayList<>();
                panel.get("targets").forEach(target -> queries.add(target.get("expr").asText()));
                return queries;
            }
        }
        throw new AssertionError("no panel titled \"" + title + "\" in " + DASHBOARD);
    }

    /** The metric names in every panel query and template variable query of the dashboard. */
    static Set<String> metricNames(JsonNode dashboard) {
        List<String> queries = new ArrayList<>();
        dashboard.get("panels").forEach(panel -> panel.get("targets").forEach(t -> queries.add(t.get("expr").asText())));
        dashboard.get("templating").get("list").forEach(variable -> queries.add(variable.get("query").isObject()
                ? variable.get("query").get("query").asText() : variable.get("query").asText()));
        Set<String> names = new TreeSet<>();
        for (String query : queries) {
            String bare = STRING.matcher(query).replaceAll(" ");
            bare = LABEL_MATCHERS.matcher(bare).replaceAll(" ");
            bare = RANGE.matcher(bare).replaceAll(" ");
            bare = GROUPING.matcher(bare).replaceAll(" ");
            // what is left: functions, keywords, numbers, label names of label_values(...) and metric names
            bare = bare.replaceAll(",\\s*[a-zA-Z_]+\\s*\\)", ")");
            Matcher word = IDENTIFIER.matcher(bare);
            while (word.find()) {
                if (!PROMQL_WORDS.contains(word.group())) {
                    names.add(word.group());
                }
            }
        }
        return names;
    }
}
