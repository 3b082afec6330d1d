package dev.conveyor.intake;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.config.ConveyorProperties;
import dev.conveyor.job.Batch;
import dev.conveyor.job.BatchEvents;
import dev.conveyor.job.BatchStore;
import dev.conveyor.job.JobEventLog;
import dev.conveyor.job.JobLifecycle;
import dev.conveyor.job.NewJob;
import dev.conveyor.job.Submission;
import dev.conveyor.queue.DispatchSignal;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * {@code POST /jobs/batch} ({@link JobsController}): many jobs in one request, a JSON array or NDJSON (one object
 * per line) of what {@code POST /jobs} takes. All or nothing: every item is checked as a single job is ({@link JobRequestParser},
 * {@link JobIntake#prepare}), and one bad item refuses the batch with each bad item's index and errors. Accepted,
 * the jobs and their job.queued events are written in one transaction with a statement for each
 * ({@link JobLifecycle#submitAll}), and the dispatcher is woken once.
 * <p>
 * Idempotency is per item ({@code idempotency_key}): an item whose key names a job of the tenant made from the
 * same request answers that job and creates nothing; one whose key was used for a different request refuses the
 * batch with 409, that item's index among the errors. So does an item whose unique key another job holds
 * ({@link UniqueKeys}), with that job's {@code job_id}; two items of one unique key are a 422.
 * <p>
 * The request is a batch ({@code batches} row, source {@code api}) written in the same transaction as its jobs,
 * each of which names it. A replayed item keeps the batch it was first submitted in; a request all of whose items
 * are replays opens no batch and answers the first item's. A JSON body may be an object, {@code {"jobs": [...],
 * "on_complete": {...}, "on_success": {...}}}: the jobs, and the jobs to submit when the batch completes
 * ({@link BatchCallbacks}).
 */
@Component
public class BatchIntake {

    private final JobRequestParser parser;
    private final JobIntake intake;
    private final JobLifecycle lifecycle;
    private final TransactionTemplate tx;
    private final DispatchSignal dispatchSignal;
    private final ConveyorProperties properties;
    private final BatchStore batches;
    private final JobEventLog events;
    private final BatchCallbacks batchCallbacks;
    private final UniqueKeys uniqueKeys;

    public BatchIntake(JobRequestParser parser, JobIntake intake, JobLifecycle lifecycle, TransactionTemplate tx,
                       DispatchSignal dispatchSignal, ConveyorProperties properties, BatchStore batches,
                       JobEventLog events, BatchCallbacks batchCallbacks, UniqueKeys uniqueKeys) {
        this.batchCallbacks = batchCallbacks;
        this.batches = batches;
        this.events = events;
        this.uniqueKeys = uniqueKeys;
        this.parser = parser;
        this.intake = intake;
        this.lifecycle = lifecycle;
        this.tx = tx;
        this.dispatchSignal = dispatchSignal;
        this.properties = properties;
    }

    /** A batch accepted: its name and the submissions, in the items' order; none created is a replay. */
    public record Accepted(String batchId, List<Submission> submissions) {

        public boolean anyCreated() {
            return submissions.stream().anyMatch(Submission::created);
        }
    }

    /**
     * Checks every item of {@code body} (a JSON array, or NDJSON when {@code ndjson}) for the tenant and writes
     * them all, or refuses the batch.
     *
     * @throws BatchProblemException 422 listing the bad items, 409 listing the items that reuse a key
     * @throws ProblemException      400 when the body is not a JSON array, 413/422 for too many or no items
     */
    public Accepted submit(String tenantId, String keyId, byte[] body, boolean ndjson) {
        List<String> lines = ndjson ? lines(body) : null;
        String callbacks = null;
        List<JsonNode> items = new ArrayList<>();
        List<Map<String, Object>> bad = new ArrayList<>();
        if (ndjson) {
            checkCount(lines.size());
            for (int i = 0; i < lines.size(); i++) {
                try {
                    items.add(parser.readJson(lines.get(i).getBytes(StandardCharsets.UTF_8)));
                } catch (ProblemException e) {
                    items.add(null);
                    bad.add(BatchProblemException.item(i, errorsOf(e)));
                }
            }
        } else {
            JsonNode root = parser.readJson(body);
            if (root.isObject() && root.has("jobs")) {
                // {"jobs": [...], "on_complete": {...}, "on_success": {...}}: the jobs, with the batch's callbacks
                callbacks = batchCallbacks.check(tenantId, keyId, root);
                root = root.get("jobs");
            }
            if (!root.isArray()) {
                throw ProblemException.badRequest("the request body must be a JSON array of jobs, or an object whose "
                        + "'jobs' is one (with 'on_complete', 'on_success'), not "
                        + root.getNodeType().name().toLowerCase(Locale.ROOT));
            }
            checkCount(root.size());
            root.forEach(items::add);
        }
        List<NewJob> jobs = new ArrayList<>(items.size());
        Map<String, Integer> firstWithKey = new HashMap<>();
        Map<String, Integer> firstWithUniqueKey = new HashMap<>();
        for (int i = 0; i < items.size(); i++) {
            if (items.get(i) == null) {
                continue;
            }
            try {
                NewJob job = intake.prepare(parser.parse(tenantId, items.get(i), null).submittedBy(keyId));
                Integer earlier = job.idempotencyKey() == null ? null
                        : firstWithKey.putIfAbsent(job.idempotencyKey(), i);
                if (earlier != null) {
                    bad.add(BatchProblemException.item(i, List.of("'idempotency_key' '"
                            + Echo.of(job.idempotencyKey()) + "' is also item " + earlier + "'s")));
                }
                Integer sameUnique = job.uniqueKey() == null ? null : firstWithUniqueKey.putIfAbsent(job.uniqueKey(), i);
                if (sameUnique != null) {
                    bad.add(BatchProblemException.item(i, List.of("'unique_key' '" + Echo.of(job.uniqueKey())
                            + "' is also item " + sameUnique + "'s: one job of a batch at most may hold a key")));
                }
                jobs.add(job);
            } catch (ProblemException e) {
                bad.add(BatchProblemException.item(i, errorsOf(e)));
            }
        }
        if (!bad.isEmpty()) {
            bad.sort(java.util.Comparator.comparingInt(item -> (Integer) item.get("index")));
            throw new BatchProblemException(422, "Unprocessable Content", bad.size() + " of " + items.size()
                    + " items are invalid; nothing was created", bad);
        }
        String batchCallbacksJson = callbacks;
        Accepted accepted = tx.execute(status -> {
            refuseHeldUniqueKeys(jobs);
            Batch batch = batches.open(tenantId, BatchOpener.Source.API.wireName(), null, null, batchCallbacksJson);
            List<Submission> written = lifecycle.submitAll(jobs.stream().map(job -> job.inBatch(batch.batchId()))
                    .toList());
            List<Map<String, Object>> conflicts = new ArrayList<>();
            for (int i = 0; i < written.size(); i++) {
                Submission submission = written.get(i);
                if (!submission.created() && !jobs.get(i).requestHash().equals(submission.job().requestHash())) {
                    conflicts.add(BatchProblemException.item(i, List.of("'idempotency_key' '"
                            + Echo.of(jobs.get(i).idempotencyKey()) + "' was already used for a different request ("
                            + submission.job().jobId() + ")")));
                }
            }
            if (!conflicts.isEmpty()) {
                // thrown inside the transaction: the jobs the other items inserted are rolled back with it
                throw new BatchProblemException(409, "Conflict", conflicts.size() + " of " + jobs.size()
                        + " items reuse an idempotency key for a different request; nothing was created",
                        conflicts);
            }
            if (written.stream().noneMatch(Submission::created)) {
                batches.forget(batch.batchId());
                return new Accepted(written.get(0).job().batchId(), written);
            }
            events.emit(BatchEvents.started(batch, written.stream().filter(Submission::created)
                    .map(Submission::job).toList()));
            return new Accepted(batch.batchId(), written);
        });
        if (accepted.anyCreated()) {
            dispatchSignal.wake();
        }
        return accepted;
    }

    /** 409 listing each item whose unique key another job holds, with that job's id; in the insert's transaction. */
    private void refuseHeldUniqueKeys(List<NewJob> jobs) {
        Map<Integer, String> held = uniqueKeys.heldElsewhere(jobs);
        if (held.isEmpty()) {
            return;
        }
        List<Map<String, Object>> conflicts = new ArrayList<>();
        held.keySet().stream().sorted().forEach(i -> {
            Map<String, Object> item = BatchProblemException.item(i,
                    List.of(UniqueKeys.refusal(jobs.get(i).uniqueKey(), held.get(i))));
            item.put("job_id", held.get(i));
            conflicts.add(item);
        });
        throw new BatchProblemException(409, "Conflict", conflicts.size() + " of " + jobs.size()
                + " items ask for a unique key another job holds; nothing was created", conflicts);
    }

    private void checkCount(int count) {
        if (count == 0) {
            throw ProblemException.unprocessable("the batch is empty; send at least one job");
        }
        int max = properties.intake().maxBatch();
        if (count > max) {
            throw ProblemException.tooLarge("the batch has " + count + " items, more than the limit of " + max
                    + " (conveyor.intake.max-batch)");
        }
    }

    /** NDJSON's lines, blank ones (such as after the last newline) left out. */
    private static List<String> lines(byte[] body) {
        List<String> lines = new ArrayList<>();
        for (String line : new String(body, StandardCharsets.UTF_8).split("\r?\n")) {
            if (!line.isBlank()) {
                lines.add(line);
            }
        }
        return lines;
    }

    private static List<String> errorsOf(ProblemException e) {
        return e.errors().isEmpty() ? List.of(e.getMessage()) : e.errors();
    }
}
