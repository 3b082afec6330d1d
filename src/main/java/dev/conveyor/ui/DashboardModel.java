package dev.conveyor.ui;

import java.util.Optional;

import dev.conveyor.config.DashboardProperties;
import dev.conveyor.security.Caller;
import dev.conveyor.security.Callers;
import dev.conveyor.security.Role;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ModelAttribute;

/**
 * What every dashboard page's frame shows: who is logged in (their key's name and role, never the key), whether
 * they may act (operators see the action buttons; the security chain refuses a reader's POST all the same), and
 * the CSRF token every form sends back; and the Grafana link when one is configured.
 */
@ControllerAdvice(basePackageClasses = DashboardModel.class)
class DashboardModel {

    private final DashboardProperties properties;

    DashboardModel(DashboardProperties properties) {
        this.properties = properties;
    }

    /** {@code conveyor.ui.grafana-url}, or null (no link) when it is empty. */
    @ModelAttribute("grafanaUrl")
    String grafanaUrl() {
        return properties.hasGrafana() ? properties.grafanaUrl() : null;
    }

    @ModelAttribute("admin")
    boolean admin() {
        return Callers.current().map(caller -> caller.may(Role.ADMIN)).orElse(false);
    }

    @ModelAttribute("csrf")
    CsrfToken csrf(HttpServletRequest request) {
        return (CsrfToken) request.getAttribute(CsrfToken.class.getName());
    }

    @ModelAttribute("caller")
    Caller caller() {
        return Callers.current().orElse(null);
    }

    @ModelAttribute("operator")
    boolean operator() {
        return Callers.current().map(caller -> caller.may(Role.OPERATOR)).orElse(false);
    }

    @ModelAttribute("roleName")
    String roleName() {
        return Callers.current().map(Caller::role).map(Role::wireName).orElse("");
    }

    static Caller requireCaller() {
        Optional<Caller> caller = Callers.current();
        // the security chain lets no request without a session's caller reach a page that calls this
        return caller.orElseThrow(() -> new IllegalStateException("a dashboard page was reached without a login"));
    }
}
