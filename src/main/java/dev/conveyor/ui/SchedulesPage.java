package dev.conveyor.ui;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.conveyor.intake.ProblemException;
import dev.conveyor.schedule.Schedule;
import dev.conveyor.schedule.Schedules;
import dev.conveyor.security.Caller;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * GET /ui/schedules: the tenant's schedules with their next and last run (docs/schedules.md); operators trigger,
 * pause and resume them through {@link Schedules}, as POST /schedules/{name}/trigger, /pause and /resume do.
 */
@Controller
class SchedulesPage {

    private final Schedules schedules;

    SchedulesPage(Schedules schedules) {
        this.schedules = schedules;
    }

    @GetMapping("/ui/schedules")
    String list(Model model) {
        Caller caller = DashboardModel.requireCaller();
        var rows = schedules.list(caller.tenantId()).stream().map(SchedulesPage::row).toList();
        model.addAttribute("title", "Schedules");
        model.addAttribute("schedules", rows);
        model.addAttribute("empty", rows.isEmpty());
        return "ui/schedules";
    }

    @PostMapping("/ui/schedules/{name}/trigger")
    String trigger(@PathVariable String name, RedirectAttributes flash) {
        Caller caller = DashboardModel.requireCaller();
        return act(flash, () -> "Triggered " + name + ": job "
                + schedules.trigger(caller.tenantId(), caller, name).job().jobId() + ".");
    }

    @PostMapping("/ui/schedules/{name}/pause")
    String pause(@PathVariable String name, RedirectAttributes flash) {
        Caller caller = DashboardModel.requireCaller();
        return act(flash, () -> {
            schedules.pause(caller.tenantId(), caller, name);
            return "Paused " + name + ": it fires no tick until resumed.";
        });
    }

    @PostMapping("/ui/schedules/{name}/resume")
    String resume(@PathVariable String name, RedirectAttributes flash) {
        Caller caller = DashboardModel.requireCaller();
        return act(flash, () -> {
            schedules.resume(caller.tenantId(), caller, name);
            return "Resumed " + name + ": it fires from its next tick on.";
        });
    }

    /** The action's outcome, or the reason the service refused it (no such schedule...), shown on the list. */
    private static String act(RedirectAttributes flash, java.util.function.Supplier<String> action) {
        String message;
        try {
            message = action.get();
        } catch (ProblemException refused) {
            message = "Not done: " + refused.getMessage();
        }
        flash.addFlashAttribute("flash", message);
        return "redirect:/ui/schedules";
    }

    private static Map<String, Object> row(Schedule schedule) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("name", schedule.name());
        row.put("cron", schedule.cron());
        row.put("zone", schedule.zone());
        row.put("paused", schedule.paused());
        row.put("nextRunAt", schedule.nextRunAt());
        row.put("lastRunAt", schedule.lastRunAt());
        row.put("lastJobId", schedule.lastJobId());
        row.put("origin", schedule.declared() ? "application.yaml" : "API");
        return row;
    }
}
