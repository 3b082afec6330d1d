package dev.conveyor.queue;

import java.lang.management.ManagementFactory;
import java.security.AccessController;
import java.security.Principal;
import java.util.List;
import java.util.stream.Collectors;

import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.StandardMBean;
import javax.security.auth.Subject;

import dev.conveyor.config.ConveyorProperties;
import dev.conveyor.queue.Pause.Kind;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.stereotype.Component;

/**
 * The Conveyor MBean, {@code dev.conveyor:type=Operations,instance=<instance id>} in the platform MBean server, which
 * Hawtio reads through Jolokia. Its operations act on the shared queue_pauses table, so a pause made on one instance's
 * MBean holds on all. The instance id in the name keeps several services in one JVM (the tests) apart.
 *
 * <p>This bean registers the MBean itself and is not one: where Spring's own JMX export is on (Hawtio's auto-config
 * turns it on), a bean implementing an MXBean interface would be exported a second time under the same name.
 */
@Component
public class ConveyorOperations implements InitializingBean, DisposableBean {

    private final Pauses pauses;
    private final ObjectName name;
    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();

    public ConveyorOperations(Pauses pauses, ConveyorProperties properties) throws JMException {
        this.pauses = pauses;
        this.name = new ObjectName("dev.conveyor:type=Operations,instance=" + ObjectName.quote(properties.instanceId()));
    }

    public ObjectName objectName() {
        return name;
    }

    @Override
    public void afterPropertiesSet() throws JMException {
        server.registerMBean(new StandardMBean(new Operations(), ConveyorOperationsMXBean.class, true), name);
    }

    @Override
    public void destroy() throws JMException {
        if (server.isRegistered(name)) {
            server.unregisterMBean(name);
        }
    }

    /** The MBean's operations, on this bean's {@link Pauses}. */
    private final class Operations implements ConveyorOperationsMXBean {

        @Override
        public List<String> getPausedLanes() {
            return names(Kind.LANE);
        }

        @Override
        public List<String> getPausedTypes() {
            return names(Kind.TYPE);
        }

        @Override
        public String pauseLane(String lane) {
            return paused(pause(Kind.LANE, lane));
        }

        @Override
        public String resumeLane(String lane) {
            return resumed(Kind.LANE, lane, resume(Kind.LANE, lane));
        }

        @Override
        public String pauseType(String type) {
            return paused(pause(Kind.TYPE, type));
        }

        @Override
        public String resumeType(String type) {
            return resumed(Kind.TYPE, type, resume(Kind.TYPE, type));
        }

        private Pause pause(Kind kind, String name) {
            try {
                return pauses.pause(kind, given(name), caller());
            } catch (UnknownQueueException e) {
                throw new IllegalArgumentException(e.getMessage());
            }
        }

        private int resume(Kind kind, String name) {
            try {
                return pauses.resume(kind, given(name), caller());
            } catch (UnknownQueueException e) {
                throw new IllegalArgumentException(e.getMessage());
            }
        }

        private List<String> names(Kind kind) {
            return pauses.all().stream().filter(pause -> pause.kind() == kind).map(Pause::name).toList();
        }
    }

    /**
     * JMX hands a client only standard types: a missing or unknown name comes back as an IllegalArgumentException
     * whose message lists the known ones, not as the service's own exception class.
     */
    private static String given(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name a lane or job type");
        }
        return name.trim();
    }

    private String paused(Pause pause) {
        return pause.kind().wireName() + " '" + pause.name() + "' is paused (by " + pause.pausedBy() + " at "
                + pause.pausedAt() + ")";
    }

    private static String resumed(Kind kind, String name, int released) {
        return kind.wireName() + " '" + name.trim() + "' is resumed; " + released + " waiting job(s) due again";
    }

    /**
     * Who called: the user Hawtio's login put in the request's Subject (Jolokia runs the operation inside it), else
     * a plain JMX client, which has no name to give.
     */
    @SuppressWarnings("removal")
    private static String caller() {
        Subject subject = Subject.getSubject(AccessController.getContext());
        if (subject != null) {
            String users = subject.getPrincipals().stream()
                    .filter(principal -> principal.getClass().getSimpleName().equals("UserPrincipal"))
                    .map(Principal::getName).collect(Collectors.joining(", "));
            if (!users.isEmpty()) {
                return "JMX user '" + users + "'";
            }
        }
        return "a JMX client";
    }
}
