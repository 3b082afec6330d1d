package dev.conveyor.config;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;
import org.slf4j.helpers.MessageFormatter;

/**
 * Health probes that arrive while Camel is still starting (a readiness poll, Kubernetes, the tests) fail by design
 * — that is what "not ready" means — yet Camel's liveness and readiness indicators log each failure as a WARN,
 * several a second, burying the start-up log. Until the service is ready this filter turns those lines into DEBUG
 * lines of the same logger; afterwards it steps aside, so a probe failing on a running service still warns.
 */
final class StartupProbeLogFilter extends TurboFilter {

    private static final String CAMEL_HEALTH = "org.apache.camel.spring.boot.actuate.health";
    private final ThreadLocal<Boolean> relogging = ThreadLocal.withInitial(() -> false);

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params,
                              Throwable t) {
        if (level != Level.WARN || !logger.getName().startsWith(CAMEL_HEALTH) || relogging.get()) {
            return FilterReply.NEUTRAL;
        }
        if (logger.isDebugEnabled()) {
            relogging.set(true);
            try {
                logger.debug(MessageFormatter.arrayFormat(format, params).getMessage(), t);
            } finally {
                relogging.set(false);
            }
        }
        return FilterReply.DENY;
    }

    /** Installs the filter; {@link #remove()} once the service is ready. */
    static StartupProbeLogFilter install() {
        StartupProbeLogFilter filter = new StartupProbeLogFilter();
        if (LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext context) {
            filter.setName("startup-probes");
            filter.start();
            context.addTurboFilter(filter);
        }
        return filter;
    }

    void remove() {
        if (!isStarted()) {
            return;
        }
        if (LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext context) {
            context.getTurboFilterList().remove(this);
        }
        stop();
    }
}
