package dev.conveyor.ui;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.conveyor.job.DeadLetterStore;
import dev.conveyor.job.JobStatus;
import dev.conveyor.queue.QueueOverview;
import dev.conveyor.security.Caller;
import dev.conveyor.telemetry.DailyThroughput;
import dev.conveyor.telemetry.JobStats;
import dev.conveyor.telemetry.StatsWindow;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;

/**
 * GET /ui/: the overview of the caller's tenant. The numbers are GET /jobs/stats's ({@link JobStats}): the jobs
 * submitted in the last 24 hours by their status now, and those that finished in the last hour by outcome, drawn
 * as a bar chart; the jobs finished per day over the last two weeks, from the daily aggregate
 * ({@link DailyThroughput}); each lane's waiting jobs and oldest wait ({@link QueueOverview}, as GET /lanes); and
 * the dead letters waiting for a replay. The page polls GET /ui/overview/live every five seconds (htmx) and swaps
 * in the fresh numbers without a reload.
 */
@Controller
class OverviewPage {

    /** Counted up to this many; more shows as "100+" (a dashboard needs to know there are many, not how many). */
    static final int DEAD_LETTERS_COUNTED = 100;

    /** How many days the daily chart shows, today included. */
    static final int DAYS = 14;

    private final JobStats stats;
    private final DailyThroughput daily;
    private final QueueOverview queues;
    private final DeadLetterStore deadLetters;

    OverviewPage(JobStats stats, DailyThroughput daily, QueueOverview queues, DeadLetterStore deadLetters) {
        this.stats = stats;
        this.daily = daily;
        this.queues = queues;
        this.deadLetters = deadLetters;
    }

    @GetMapping({"/ui", "/ui/"})
    String overview(Model model) {
        model.addAttribute("title", "Overview");
        live(model);
        return "ui/overview";
    }

    @GetMapping("/ui/overview/live")
    String live(Model model) {
        Caller caller = DashboardModel.requireCaller();
        Instant now = Instant.now();
        Map<String, Object> day = stats.of(caller.tenantId(), StatsWindow.parse("24h"), null, now);
        Map<String, Object> hour = stats.of(caller.tenantId(), StatsWindow.parse("1h"), null, now);

        List<Map<String, Object>> counts = ((Map<?, ?>) ((Map<?, ?>) day.get("submitted")).get("by_status"))
                .entrySet().stream().map(e -> Map.<String, Object>of("status", e.getKey(), "count", e.getValue(),
                        "colour", StatusColours.of((String) e.getKey()))).toList();
        Map<String, Object> finished = (Map<String, Object>) hour.get("finished");
        Map<String, Long> outcomes = new LinkedHashMap<>();
        ((Map<?, ?>) finished.get("by_status")).forEach((status, count) ->
                outcomes.put((String) status, ((Number) count).longValue()));

        long waiting = deadLetters.list(caller.tenantId(), null, null, null, DEAD_LETTERS_COUNTED + 1, false)
                .stream().filter(row -> JobStatus.DEAD_LETTERED.name().equals(row.get("status"))).count();

        model.addAttribute("counts", counts);
        model.addAttribute("submittedToday", ((Map<?, ?>) day.get("submitted")).get("total"));
        model.addAttribute("finishedLastHour", finished.get("total"));
        model.addAttribute("failedLastHour", outcomes.getOrDefault(JobStatus.FAILED.name(), 0L)
                + outcomes.getOrDefault(JobStatus.DEAD_LETTERED.name(), 0L));
        Object rate = finished.get("success_rate");
        model.addAttribute("successRate", rate == null ? "–" : Math.round(((Number) rate).doubleValue() * 1000) / 10.0 + " %");
        model.addAttribute("chart", BarChart.of(outcomes));
        model.addAttribute("deadLettersWaiting", waiting > DEAD_LETTERS_COUNTED ? DEAD_LETTERS_COUNTED + "+" : waiting);
        model.addAttribute("dailyChart", DailyChart.of(daily.of(caller.tenantId(), LocalDate.ofInstant(now,
                ZoneOffset.UTC), DAYS)));
        model.addAttribute("lanes", LanesPage.rows(queues.lanes()));
        model.addAttribute("updatedAt", now.toString());
        return "ui/overview-live";
    }
}
