package dev.conveyor.config;

import java.net.URI;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;

/**
 * The dashboard's settings (docs/dashboard.md), {@code conveyor.ui.*}. Defaults: application.yaml only.
 *
 * @param grafanaUrl where the dashboard's "Grafana" link goes, beside the Hawtio one; empty: no link. Only an
 *                   http(s) address: the link is written into every page, and any other scheme (javascript:) would
 *                   run in the dashboard's origin when clicked
 */
@ConfigurationProperties("conveyor.ui")
public record DashboardProperties(String grafanaUrl) implements Validator {

    public DashboardProperties {
        grafanaUrl = grafanaUrl == null ? "" : grafanaUrl.trim();
    }

    /** Whether a Grafana link is configured. */
    public boolean hasGrafana() {
        return !grafanaUrl.isEmpty();
    }

    @Override
    public boolean supports(Class<?> type) {
        return DashboardProperties.class.isAssignableFrom(type);
    }

    @Override
    public void validate(Object target, Errors errors) {
        String url = ((DashboardProperties) target).grafanaUrl;
        new Checks(errors).holds("grafanaUrl", url, url.isEmpty() || isWebAddress(url),
                "must be empty (no link) or an http:// or https:// address");
    }

    private static boolean isWebAddress(String url) {
        try {
            URI uri = URI.create(url);
            return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null;
        } catch (IllegalArgumentException notAnAddress) {
            return false;
        }
    }
}
