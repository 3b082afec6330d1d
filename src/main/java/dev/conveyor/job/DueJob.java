package dev.conveyor.job;

import java.util.Comparator;

/** What the dispatcher knows of a job it publishes: enough to route it, never its payload. */
public record DueJob(String jobId, String type, Priority priority, long payloadSizeBytes, String marketplace,
                     String category, String region) {

    public String partitionKey() {
        return PartitionKeys.of(marketplace, category, region);
    }

    /** UPDATE ... RETURNING does not keep the sub-select's order, so the batch is sorted again. */
    static final Comparator<DueJob> DISPATCH_ORDER = Comparator.comparing(DueJob::priority);
}
