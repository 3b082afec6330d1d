package dev.conveyor.job;

import java.util.UUID;

/**
 * A job a bulk action found by its filter, before it is changed: its row id, its {@code job_id}, the unique key it
 * holds while active (null when it has none or a period key: two of one key must not be requeued together, V50)
 * and, for a dead letter's replay, the dead letter's id (else null).
 */
public record BulkCandidate(UUID id, String jobId, String activeUniqueKey, Long deadLetterId) {
}
