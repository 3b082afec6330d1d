package dev.conveyor.schedule;

import java.time.Instant;
import java.time.ZoneId;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A schedule's definition, checked ({@link ScheduleDefinitions}): when it ticks and the job each tick submits.
 *
 * @param job the body POST /jobs takes, already checked against its type's contract
 */
public record ScheduleDefinition(Cron cron, ZoneId zone, JsonNode job, Misfire misfire) {

    /** The first tick after {@code now}; a definition that never ticks again is refused when checked. */
    public Instant nextAfter(Instant now) {
        return cron.next(now, zone);
    }
}
