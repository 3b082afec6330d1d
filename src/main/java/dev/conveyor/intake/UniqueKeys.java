package dev.conveyor.intake;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.conveyor.job.JobStore;
import dev.conveyor.job.NewJob;
import org.springframework.stereotype.Component;

/**
 * Unique jobs (docs/architecture.md, section 4, "Unique jobs"): a job may ask to hold a unique key of its tenant,
 * while it is active or for a period, and a submission whose key another job holds is refused (409, naming that
 * job). Safe under concurrent submits: the keys are locked (a transaction-scoped advisory lock each) before they
 * are looked up, in the transaction that then inserts the jobs, so of two submits of one key the second waits for
 * the first's commit and finds its job. The partial unique index of V50 backs the while_active case up.
 */
@Component
public class UniqueKeys {

    private final JobStore store;

    public UniqueKeys(JobStore store) {
        this.store = store;
    }

    /**
     * Locks the unique keys {@code jobs} (all of one tenant) ask for and answers, by index in {@code jobs}, the id of
     * the job that already holds each one; an index that is absent is free to go. A job whose idempotency key names
     * an existing job is a replay of that job, not a second one, and is never refused here. Must run inside the
     * transaction that inserts the jobs.
     */
    public Map<Integer, String> heldElsewhere(List<NewJob> jobs) {
        Map<Integer, String> held = new HashMap<>();
        Set<String> keys = new LinkedHashSet<>();
        Set<String> idempotencyKeys = new LinkedHashSet<>();
        for (NewJob job : jobs) {
            if (job.uniqueKey() != null) {
                keys.add(job.uniqueKey());
                if (job.idempotencyKey() != null) {
                    idempotencyKeys.add(job.idempotencyKey());
                }
            }
        }
        if (keys.isEmpty()) {
            return held;
        }
        String tenantId = jobs.get(0).tenantId();
        store.lockUniqueKeys(tenantId, keys);
        Set<String> replays = store.findByIdempotencyKeys(tenantId, idempotencyKeys).keySet();
        Map<String, String> holders = store.uniqueKeyHolders(tenantId, keys);
        for (int i = 0; i < jobs.size(); i++) {
            NewJob job = jobs.get(i);
            String holder = job.uniqueKey() == null ? null : holders.get(job.uniqueKey());
            if (holder != null && (job.idempotencyKey() == null || !replays.contains(job.idempotencyKey()))) {
                held.put(i, holder);
            }
        }
        return held;
    }

    /** Why a job with {@code uniqueKey} is refused while {@code holder} holds it, and what to do. */
    static String refusal(String uniqueKey, String holder) {
        return "'unique_key' '" + Echo.of(uniqueKey) + "' is held by " + holder + "; submit again once that job "
                + "has finished (a while_active key) or its unique_for period has passed, or use another key";
    }
}
