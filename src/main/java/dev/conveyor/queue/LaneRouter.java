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

    /**
     * The same decision as SQL over a row of jobs (its {@code type}, {@code priority}, {@code payload_size_bytes}), for
     * what only the table can count: the jobs waiting in each lane before they have one (GET /lanes).
     */
    public String laneExpression() {
        StringBuilder sql = new StringBuilder("CASE");
        for (LaneRule rule : rules) {
            List<String> conditions = new java.util.ArrayList<>();
            if (rule.types() != null && !rule.types().isEmpty()) {
                conditions.add("type IN (" + String.join(", ", rule.types().stream().map(LaneRouter::literal).toList())
                        + ")");
            }
            if (rule.priority() != null) {
                conditions.add("priority = " + literal(rule.priority()));
            }
            if (rule.minPayloadBytes() != null) {
                conditions.add("payload_size_bytes >= " + rule.minPayloadBytes().longValue());
            }
            sql.append(" WHEN ").append(conditions.isEmpty() ? "true" : String.join(" AND ", conditions))
                    .append(" THEN ").append(literal(Lane.fromWireName(rule.lane()).wireName()));
        }
        return sql.append(" ELSE ").append(literal(defaultLane.wireName())).append(" END").toString();
    }

    /** A configured name as an SQL string literal (quotes doubled). */
    private static String literal(String text) {
        return "'" + text.replace("'", "''") + "'";
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
