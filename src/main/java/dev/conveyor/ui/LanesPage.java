package dev.conveyor.ui;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.conveyor.queue.Pause.Kind;
import dev.conveyor.queue.Pauses;
import dev.conveyor.queue.QueueOverview;
import dev.conveyor.queue.UnknownQueueException;
import dev.conveyor.security.Caller;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * GET /ui/lanes: each lane and each job type with what waits and runs in it, the oldest due job's wait and its
 * pause, as GET /lanes and GET /types show them ({@link QueueOverview}); operators pause and resume a lane or a type
 * through {@link Pauses}, as POST /lanes/{lane}/pause and the others do. Lanes and types belong to the whole
 * service, not to a tenant: a pause holds back every tenant's jobs, which the confirmation says.
 */
@Controller
class LanesPage {

    private final Pauses pauses;
    private final QueueOverview overview;

    LanesPage(Pauses pauses, QueueOverview overview) {
        this.pauses = pauses;
        this.overview = overview;
    }

    @GetMapping("/ui/lanes")
    String lanes(Model model) {
        DashboardModel.requireCaller();
        model.addAttribute("title", "Lanes and types");
        model.addAttribute("lanes", overview.lanes().stream().map(LanesPage::row).toList());
        model.addAttribute("types", overview.types().stream().map(LanesPage::row).toList());
        return "ui/lanes";
    }

    @PostMapping("/ui/lanes/{lane}/pause")
    String pauseLane(@PathVariable String lane, RedirectAttributes flash) {
        return pause(Kind.LANE, lane, flash);
    }

    @PostMapping("/ui/lanes/{lane}/resume")
    String resumeLane(@PathVariable String lane, RedirectAttributes flash) {
        return resume(Kind.LANE, lane, flash);
    }

    @PostMapping("/ui/types/{type}/pause")
    String pauseType(@PathVariable String type, RedirectAttributes flash) {
        return pause(Kind.TYPE, type, flash);
    }

    @PostMapping("/ui/types/{type}/resume")
    String resumeType(@PathVariable String type, RedirectAttributes flash) {
        return resume(Kind.TYPE, type, flash);
    }

    private String pause(Kind kind, String name, RedirectAttributes flash) {
        Caller caller = DashboardModel.requireCaller();
        String message;
        try {
            pauses.pause(kind, name, who(caller));
            message = "Paused " + kind.wireName() + " " + name + ": nothing new of it starts until it is resumed;"
                    + " running jobs finish.";
        } catch (UnknownQueueException unknown) {
            message = notDone(unknown);
        }
        flash.addFlashAttribute("flash", message);
        return "redirect:/ui/lanes";
    }

    private String resume(Kind kind, String name, RedirectAttributes flash) {
        Caller caller = DashboardModel.requireCaller();
        String message;
        try {
            int released = pauses.resume(kind, name, who(caller));
            message = "Resumed " + kind.wireName() + " " + name + ": " + released + " held-back job(s) due again.";
        } catch (UnknownQueueException unknown) {
            message = notDone(unknown);
        }
        flash.addFlashAttribute("flash", message);
        return "redirect:/ui/lanes";
    }

    /** The log and the pages name who paused: the key's name, id and tenant, and that it was from the dashboard. */
    private static String who(Caller caller) {
        return "API key '" + caller.name() + "' (" + caller.keyId() + ", tenant " + caller.tenantId()
                + ", dashboard)";
    }

    private static String notDone(UnknownQueueException unknown) {
        // the name comes from the URL: the flash is escaped by the template, and at most 64 characters of it shown
        String name = unknown.name().length() > 64 ? unknown.name().substring(0, 64) + "…" : unknown.name();
        return "Not done: no " + unknown.kind().wireName() + " named '" + name + "'; the "
                + unknown.kind().wireName() + "s are: " + String.join(", ", unknown.known()) + ".";
    }

    static Map<String, Object> row(QueueOverview.Row row) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("name", row.name());
        view.put("paused", row.paused());
        view.put("pausedBy", row.pausedBy());
        view.put("pausedAt", row.pausedAt());
        view.put("queued", row.queued());
        view.put("running", row.running());
        view.put("oldestWaiting", WaitingAge.of(row.oldestWaitingSeconds()));
        return view;
    }

    static List<Map<String, Object>> rows(List<QueueOverview.Row> rows) {
        return rows.stream().map(LanesPage::row).toList();
    }
}
