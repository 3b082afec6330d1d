package dev.conveyor.queue;

import java.util.List;

/**
 * The Conveyor MBean's operations (docs/operations.md, "From Hawtio"): pause and resume a lane or a job type as the
 * HTTP API does, for an operator in Hawtio's JMX tab. Jolokia's access policy (jolokia-access.xml) allows exactly
 * these operations.
 */
public interface ConveyorOperationsMXBean {

    /** The lanes paused now, across every instance. */
    List<String> getPausedLanes();

    /** The job types paused now, across every instance. */
    List<String> getPausedTypes();

    String pauseLane(String lane);

    String resumeLane(String lane);

    String pauseType(String type);

    String resumeType(String type);
}
