package dev.conveyor.job;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/** One lifecycle event: its identity, and the envelope of docs/architecture.md section 7 as a JSON-ready map. */
public record JobEvent(UUID eventId, String eventType, String jobId, Instant timestamp,
                       Map<String, Object> envelope) {
}
