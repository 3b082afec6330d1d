package dev.conveyor.queue;

import java.util.List;

import dev.conveyor.config.ConveyorProperties;
import dev.conveyor.config.ConveyorProperties.LaneRule;
import dev.conveyor.job.DueJob;
import org.springframework.stereotype.Component;

/**
 * The decision of the content-based router: the first rule of {@code conveyor.routing.rules} whose
 * conditions all hold picks the lane; no match means {@code conveyor.routing.default-lane}.
 */
@Component("laneRouter")
public class LaneRouter {

    private final List<LaneRule> rules;
    private final Lane defaultLane;

    public LaneRouter(ConveyorProperties properties) {
        this.rules = List.copyOf(properties.routing().rules());
        this.defaultLane = Lane.fromWireName(properties.routing().defaultLane());
        rules.forEach(rule -> Lane.fromWireName(rule.lane()));
    }

    public String laneFor(DueJob job) {
        for (LaneRule rule : rules) {
            if (matches(rule, job)) {
                return Lane.fromWireName(rule.lane()).wireName();
            }
        }
        return defaultLane.wireName();
    }

    private static boolean matches(LaneRule rule, DueJob job) {
        if (rule.types() != null && !rule.types().isEmpty() && !rule.types().contains(job.type())) {
            return false;
        }
        if (rule.priority() != null && !rule.priority().equals(job.priority().wireName())) {
            return false;
        }
        return rule.minPayloadBytes() == null || job.payloadSizeBytes() >= rule.minPayloadBytes();
    }
}
