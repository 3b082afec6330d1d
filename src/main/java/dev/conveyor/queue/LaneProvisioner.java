package dev.conveyor.queue;

/**
 * Creates what a backend needs before lanes can carry messages (Kafka topics, say). Called at start-up and
 * again after a failed publish, so a broker that was down at start-up is provisioned once it is back.
 */
public interface LaneProvisioner {

    void provision();
}
