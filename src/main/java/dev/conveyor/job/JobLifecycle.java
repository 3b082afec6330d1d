package dev.conveyor.job;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conveyor.config.ConveyorProperties;
import jakarta.annotation.PreDestroy;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionSystemException;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Every state change of a job, each in one transaction with the event that describes it. The SQL is in
 * {@link JobStore}; the allowed transitions are in {@link JobStatus}. The frequent ones (submit, claim, finish,
 * fail, retry) are written as sets: the changes that many workers ask for at the same moment are collected as
 * rows ({@link WriteBatcher}) and written with one statement per kind, their events with one multi-row insert,
 * in one transaction and one commit (docs/architecture.md, "Set-based writes").
 *
 * <p>This is the only class that changes {@code jobs.status}. A single-job change goes through {@link #transition};
 * a set (claims, endings) and the shutdown hand-back go through {@link #writeSet} and {@link #handBack}, which make
 * the same checks: a move the table forbids is refused before any SQL runs, and every changed row is checked
 * against its transition before its event is written. {@link #transition} refuses a move the table forbids with an
 * {@link IllegalJobTransitionException} before it touches the database, runs the {@link JobStore} statement
 * of the {@link JobTransition} (guarded by the transition's sources), and writes the event of the change in the
 * same transaction. An empty result is a lost race — the job left the source status in the meantime (another
 * worker claimed it, the reaper took it back, it was cancelled) — and is returned as such to the caller.
 */
@Service
public class JobLifecycle {

    private final JobStore store;
    private final JobEventLog telemetry;
    private final LifecycleMetrics metrics;
    private final TransactionTemplate tx;
    private final WriteBatcher<Change, Object> writes;
    private final ObjectMapper json;
    private final Duration lease;
    private final String instanceId;
    private final ProgressThrottle progressEvents;

    public JobLifecycle(JobStore store, JobEventLog telemetry, LifecycleMetrics metrics, TransactionTemplate tx,
                        ObjectMapper json, ConveyorProperties properties, ProgressThrottle progressEvents) {
        this.store = store;
        this.progressEvents = progressEvents;
        this.telemetry = telemetry;
        this.metrics = metrics;
        this.tx = tx;
        this.json = json;
        this.lease = Duration.ofSeconds(properties.worker().leaseSeconds());
        this.instanceId = properties.instanceId();
        ConveyorProperties.Db db = properties.db();
        this.writes = new WriteBatcher<>("job-writes", db.batchMaxRows(), Duration.ofMillis(db.batchLingerMs()),
                db.batchWriters(), changes -> tx.execute(status -> writeSet(changes)), JobLifecycle::itemMayBeAtFault,
                new WriteBatcher.Observer() {
                    @Override
                    public void setWritten(int items, long nanos) {
                        metrics.setWritten(items, nanos);
                    }

                    @Override
                    public void waited(long nanos) {
                        metrics.setWriteWaited(nanos);
                    }
                });
    }

    @PreDestroy
    void stopWriters() throws InterruptedException {
        writes.close();
    }

    /** Writes a QUEUED job, or returns the job its idempotency key already names. */
    public Submission submit(NewJob job) {
        return (Submission) write(new Submit(job));
    }

    /**
     * Writes many QUEUED jobs of one tenant and their job.queued events in one transaction (joining the caller's,
     * if one is open), with a statement for all the jobs, one for the events and, when some idempotency keys
     * were already used, one to read their jobs. The answer is in the order of {@code jobs}; an item whose key
     * names an existing job answers that job, not created (its request hash is the caller's to compare).
     */
    public List<Submission> submitAll(List<NewJob> jobs) {
        if (jobs.isEmpty()) {
            return List.of();
        }
        String tenantId = jobs.get(0).tenantId();
        if (jobs.stream().anyMatch(job -> !tenantId.equals(job.tenantId()))) {
            throw new IllegalArgumentException("a batch is for one tenant");
        }
        return tx.execute(status -> {
            List<JobEvent> events = new ArrayList<>();
            List<Submission> submissions = insertSet(jobs, events);
            telemetry.emitAll(events);
            return submissions;
        });
    }

    /**
     * Inserts new jobs with one statement, adding their job.queued events to {@code events}; an item whose
     * idempotency key was used answers that job, read with one statement per tenant. Answers in the order of
     * {@code jobs}. Runs in the caller's transaction.
     */
    private List<Submission> insertSet(List<NewJob> jobs, List<JobEvent> events) {
        List<Optional<Job>> inserted = store.insertAll(jobs);
        Map<String, List<String>> replayedKeys = new java.util.HashMap<>();
        for (int i = 0; i < jobs.size(); i++) {
            if (inserted.get(i).isPresent()) {
                events.add(JobEvents.of(EventType.QUEUED, inserted.get(i).get(), null, null));
            } else {
                replayedKeys.computeIfAbsent(jobs.get(i).tenantId(), t -> new ArrayList<>())
                        .add(jobs.get(i).idempotencyKey());
            }
        }
        Map<String, Map<String, Job>> existing = new java.util.HashMap<>();
        replayedKeys.forEach((tenant, keys) -> existing.put(tenant, store.findByIdempotencyKeys(tenant, keys)));
        List<Submission> submissions = new ArrayList<>(jobs.size());
        for (int i = 0; i < jobs.size(); i++) {
            Optional<Job> job = inserted.get(i);
            if (job.isPresent()) {
                metrics.jobSubmitted(job.get());
                submissions.add(new Submission(job.get(), true));
            } else {
                NewJob replayed = jobs.get(i);
                Job found = existing.get(replayed.tenantId()).get(replayed.idempotencyKey());
                if (found == null) {
                    throw new IllegalStateException("idempotency key conflict without a job");
                }
                submissions.add(new Submission(found, false));
            }
        }
        return submissions;
    }

    /** Claims the job for one worker; empty when another worker has it or it is no longer claimable. */
    @SuppressWarnings("unchecked")
    public Optional<Job> claim(String jobId, String lane) {
        return (Optional<Job>) write(new Claim(jobId, lane));
    }

    /**
     * Claims a set of jobs for one worker with the claims of the moment (one statement, one commit): the jobs got,
     * RUNNING for this instance, in the order asked; the others (taken by another worker, finished, cancelled, or
     * asked for twice) are left out.
     */
    @SuppressWarnings("unchecked")
    public List<Job> claimAll(List<String> jobIds, String lane) {
        List<Change> claims = new ArrayList<>(jobIds.size());
        for (String jobId : jobIds) {
            claims.add(new Claim(jobId, lane));
        }
        List<Job> claimed = new ArrayList<>(jobIds.size());
        for (Object answer : writeAll(claims)) {
            ((Optional<Job>) answer).ifPresent(claimed::add);
        }
        return claimed;
    }

    /**
     * Extends the leases of claimed jobs that wait behind others of their worker's set, with one statement; only
     * those still RUNNING for the attempt that claimed them. Returns the ids of those extended: a job left out
     * was taken back (its lease had run out), or ended, or is another worker's now, and is not to be started.
     */
    public java.util.Set<String> keepWaiting(List<Job> claimed) {
        if (claimed.isEmpty()) {
            return java.util.Set.of();
        }
        return new java.util.HashSet<>(store.extendLeases(claimed.stream().map(Job::jobId).toList(),
                claimed.stream().map(Job::attempts).toList(), claimed.get(0).claimedBy(), lease));
    }

    /**
     * Gives claimed jobs that wait in a worker's set behind one that runs long back to the queue (QUEUED, due at
     * once, the claim not counted; a job.requeued event each), so an idle worker takes them instead of their
     * waiting out the long one. Returns the ids handed back; a job left out had already ended or was taken back.
     */
    public java.util.Set<String> handBackWaiting(List<Job> claimed) {
        if (claimed.isEmpty()) {
            return java.util.Set.of();
        }
        List<Job> handedBack = tx.execute(status -> {
            List<Job> jobs = store.handBackWaiting(claimed.stream().map(Job::jobId).toList(),
                    claimed.stream().map(Job::attempts).toList(), claimed.get(0).claimedBy());
            List<JobEvent> events = new ArrayList<>(jobs.size());
            for (Job job : jobs) {
                changed(JobTransition.HAND_BACK, job.jobId(), JobStatus.RUNNING, JobStatus.QUEUED, job, events,
                        j -> JobEvents.of(EventType.REQUEUED, j, null, null));
            }
            telemetry.emitAll(events);
            return jobs;
        });
        java.util.Set<String> ids = new java.util.HashSet<>();
        if (handedBack != null) {
            handedBack.forEach(job -> ids.add(job.jobId()));
        }
        return ids;
    }

    /** Records progress (0-100) and extends the lease; false when the job stopped being RUNNING. */
    public boolean heartbeat(Job job, int progress) {
        return heartbeat(job, progress, null);
    }

    /**
     * As {@link #heartbeat(Job, int)}, and when a job.progress event is due ({@link ProgressThrottle}) writes
     * one in the same transaction; {@code rowsProcessed} (null: not counted) goes into its metrics.
     */
    public boolean heartbeat(Job job, int progress, Long rowsProcessed) {
        int percent = Math.max(0, Math.min(100, progress));
        if (!progressEvents.due(job.jobId(), job.attempts(), job.startedAt())) {
            return store.heartbeat(job.jobId(), percent, lease);
        }
        return Boolean.TRUE.equals(tx.execute(status -> {
            boolean running = store.heartbeat(job.jobId(), percent, lease);
            if (running) {
                telemetry.emit(JobEvents.progress(job, percent, rowsProcessed));
            }
            return running;
        }));
    }

    /**
     * Ends the running attempt with the processor's outcome; empty when the attempt no longer holds the job (it was
     * cancelled, or its lease expired and another worker took it over). The outcome's follow-ups are recorded with
     * the job ({@link Job#followUpsJson()}), for the caller to create once this has committed.
     */
    public Optional<Job> finish(Job running, JobOutcome outcome) {
        return end(finishing(running, outcome));
    }

    /** The ending {@link #finish} writes, for {@link #endAll}. */
    public End finishing(Job running, JobOutcome outcome) {
        if (outcome.status() == JobStatus.FAILED) {
            // a run that failed on its rows keeps its counts and its report (GET /jobs/{id}/report): they say why
            return failing(running, outcome.errorMessage(), "JobFailed", outcome.result(), outcome.resultUrl(),
                    outcome.metrics());
        }
        String followUps = outcome.next().isEmpty() ? null : toJson(outcome.next());
        return new End(JobTransition.FINISH, running, outcome.status(),
                new JobStore.Ending(running.jobId(), running.claimedBy(), running.attempts(), outcome.status().name(),
                        toJson(outcome.result()), outcome.resultUrl(), followUps, null, null),
                job -> JobEvents.of(EventType.COMPLETED, job, withProcessingTime(job, outcome.metrics()), null),
                job -> metrics.jobFinished(job, outcome.metrics()));
    }

    public Optional<Job> fail(Job running, String failure, String errorClass, Map<String, Object> result,
                              Map<String, Object> metrics) {
        return fail(running, failure, errorClass, result, null, metrics);
    }

    /** As above, with the report the failed run wrote ({@code resultUrl}), or null when it wrote none. */
    public Optional<Job> fail(Job running, String failure, String errorClass, Map<String, Object> result,
                              String resultUrl, Map<String, Object> metrics) {
        return end(failing(running, failure, errorClass, result, resultUrl, metrics));
    }

    /** The ending {@link #fail} writes, for {@link #endAll}. */
    public End failing(Job running, String failure, String errorClass, Map<String, Object> result,
                       String resultUrl, Map<String, Object> metrics) {
        String message = messageOr(failure);
        Map<String, Object> entry = errorEntry(running, errorClass, message);
        return new End(JobTransition.FAIL, running, JobStatus.FAILED,
                new JobStore.Ending(running.jobId(), running.claimedBy(), running.attempts(), message,
                        toJson(result), resultUrl, null, toJson(entry), null),
                job -> JobEvents.of(EventType.FAILED, job, withProcessingTime(job, metrics),
                        Map.of("type", errorClass, "message", message)),
                job -> this.metrics.jobFinished(job, metrics));
    }

    /** A failed attempt that will run again after {@code delay}: RETRYING, with a job.retrying event. */
    public Optional<Job> retry(Job running, String failure, String errorClass, Duration delay) {
        return end(retrying(running, failure, errorClass, delay));
    }

    /** The ending {@link #retry} writes, for {@link #endAll}. */
    public End retrying(Job running, String failure, String errorClass, Duration delay) {
        String message = messageOr(failure);
        Map<String, Object> entry = errorEntry(running, errorClass, message);
        entry.put("retry_in_ms", delay.toMillis());
        return new End(JobTransition.RETRY, running, JobStatus.RETRYING,
                new JobStore.Ending(running.jobId(), running.claimedBy(), running.attempts(), message, null, null,
                        null, toJson(entry), delay.toMillis() / 1000.0),
                job -> JobEvents.of(EventType.RETRYING, job, null, Map.of("type", errorClass, "message", message)),
                metrics::jobRetried);
    }

    @SuppressWarnings("unchecked")
    private Optional<Job> end(End end) {
        end.transition().check(end.running().jobId(), end.running().status(), end.to());
        return (Optional<Job>) write(end);
    }

    /**
     * Writes the endings of many attempts with the changes of the moment (one statement per kind, one commit):
     * each answer, in order, is the job as ended, or empty when the attempt no longer held it. Every ending is
     * checked against its transition before anything is written.
     */
    @SuppressWarnings("unchecked")
    public List<Optional<Job>> endAll(List<End> ends) {
        for (End end : ends) {
            end.transition().check(end.running().jobId(), end.running().status(), end.to());
        }
        List<Optional<Job>> ended = new ArrayList<>(ends.size());
        for (Object answer : writeAll(new ArrayList<Change>(ends))) {
            ended.add((Optional<Job>) answer);
        }
        return ended;
    }

    /**
     * Attempts exhausted: DEAD_LETTERED, a dead_letters row with every attempt's error and the last stack
     * trace, and a job.dead_lettered event — one transaction. Empty when the job was no longer running.
     */
    public Optional<DeadLetter> deadLetter(Job job, String failure, String errorClass, String stackTrace) {
        String message = messageOr(failure);
        Map<String, Object> entry = errorEntry(job, errorClass, message);
        return tx.execute(status -> transition(JobTransition.DEAD_LETTER, job.jobId(), job.status(),
                JobStatus.DEAD_LETTERED, () -> store.deadLetter(job.jobId(), message, toJson(entry)),
                dead -> JobEvents.of(EventType.DEAD_LETTERED, dead, null,
                        Map.of("type", errorClass, "message", message))).map(dead -> {
            long id = store.insertDeadLetter(dead, message, stackTrace);
            this.metrics.jobFinished(dead, Map.of());
            this.metrics.jobDeadLettered(dead);
            return new DeadLetter(id, dead);
        }));
    }

    /** A dead letter's id and the job as it was set aside. */
    public record DeadLetter(long id, Job job) {
    }

    /** Cancels a job that has not started; empty when it is not waiting. */
    public Optional<Job> cancelWaiting(String jobId) {
        return tx.execute(status -> transition(JobTransition.CANCEL_WAITING, jobId, null, JobStatus.CANCELLED,
                () -> store.cancelWaiting(jobId), job -> JobEvents.of(EventType.CANCELLED, job, null, null)));
    }

    /** A running job that stopped at a checkpoint because it was asked to. */
    public Optional<Job> cancelled(Job running) {
        return tx.execute(status -> transition(JobTransition.CANCEL_RUNNING, running.jobId(), running.status(),
                JobStatus.CANCELLED, () -> store.markCancelled(running.jobId()),
                job -> JobEvents.of(EventType.CANCELLED, job, null, null)));
    }

    /** Back to QUEUED by hand (a manual retry or a dead letter's replay), recorded as a job.queued event. */
    public Optional<Job> requeue(String jobId) {
        return tx.execute(status -> transition(JobTransition.REQUEUE, jobId, null, JobStatus.QUEUED,
                () -> store.requeue(jobId), job -> JobEvents.of(EventType.QUEUED, job, null, null)));
    }

    /**
     * A bulk retry or replay (docs/architecture.md, section 4, "Bulk actions"): of the jobs named by row id, those
     * still FAILED or DEAD_LETTERED go back to QUEUED as {@link #requeue} does, with one statement, each with its
     * job.queued event, in one transaction (the caller's, when one is open). Returns the jobs requeued; the others
     * had moved on, or another active job holds their while_active unique key.
     */
    public List<Job> requeueAll(List<java.util.UUID> ids) {
        return tx.execute(status -> changedAll(JobTransition.REQUEUE, JobStatus.QUEUED, store.requeueAll(ids),
                job -> JobEvents.of(EventType.QUEUED, job, null, null)));
    }

    /**
     * A bulk cancel: of the jobs named by row id, those still waiting (QUEUED, RETRYING) are CANCELLED as
     * {@link #cancelWaiting} does, with one statement, each with its job.cancelled event, in one transaction.
     */
    public List<Job> cancelWaitingAll(List<java.util.UUID> ids) {
        return tx.execute(status -> changedAll(JobTransition.CANCEL_WAITING, JobStatus.CANCELLED,
                store.cancelWaitingAll(ids), job -> JobEvents.of(EventType.CANCELLED, job, null, null)));
    }

    /** Checks each job a set statement of {@code transition} changed and writes their events with one insert. */
    private List<Job> changedAll(JobTransition transition, JobStatus to, List<Job> jobs, Function<Job, JobEvent> event) {
        if (!transition.targets().contains(to)) {
            throw new IllegalJobTransitionException(null, null, to);
        }
        List<JobEvent> events = new ArrayList<>(jobs.size());
        for (Job job : jobs) {
            changed(transition, job.jobId(), null, to, job, events, event);
        }
        if (!events.isEmpty()) {
            telemetry.emitAll(events);
        }
        return jobs;
    }

    /**
     * Shutdown: every job this instance still runs goes back to QUEUED (the interrupted attempt not counted),
     * each with a job.requeued event, in one transaction. Returns how many were handed back.
     */
    public int handBack() {
        List<Job> handedBack = tx.execute(status -> {
            List<Job> jobs = store.handBack(instanceId);
            for (Job job : jobs) {
                changed(JobTransition.HAND_BACK, job.jobId(), JobStatus.RUNNING, JobStatus.QUEUED, job,
                        j -> JobEvents.of(EventType.REQUEUED, j, null, null));
            }
            return jobs;
        });
        return handedBack == null ? 0 : handedBack.size();
    }

    /** The writes that are collected into sets: a new job, a claim, the end of an attempt. */
    private sealed interface Change permits Submit, Claim, End {
    }

    private record Submit(NewJob job) implements Change {
    }

    private record Claim(String jobId, String lane) implements Change {
    }

    /**
     * An attempt's end by {@code transition} to {@code to}: the row to write, its event and its metrics. Made by
     * {@link #finishing}, {@link #failing} and {@link #retrying}; written by {@link #endAll}.
     */
    public record End(JobTransition transition, Job running, JobStatus to, JobStore.Ending row,
                       Function<Job, JobEvent> event, Consumer<Job> recorded) implements Change {
    }

    /**
     * A change inside the caller's open transaction joins it (the lease reaper locks the rows it retries: a writer
     * thread would wait on those locks forever); any other goes to the batcher and shares a set.
     */
    private Object write(Change change) {
        return writeAll(List.of(change)).get(0);
    }

    private List<Object> writeAll(List<Change> changes) {
        if (changes.isEmpty()) {
            return List.of();
        }
        if (TransactionSynchronizationManager.isActualTransactionActive()) {
            return writeSet(changes);
        }
        return writes.writeAll(changes);
    }

    /**
     * Writes a set of changes in the caller's transaction: one INSERT for the new jobs, one UPDATE for the claims,
     * one UPDATE per kind of ending, one multi-row INSERT for all their events. Answers in the order of
     * {@code changes}: a {@link Submission} for a new job, the changed job or empty (a lost race) for the others.
     */
    private List<Object> writeSet(List<Change> changes) {
        Object[] answers = new Object[changes.size()];
        List<JobEvent> events = new ArrayList<>();
        List<Integer> submits = new ArrayList<>();
        List<Integer> claims = new ArrayList<>();
        Map<JobTransition, List<Integer>> ends = new java.util.EnumMap<>(JobTransition.class);
        for (int i = 0; i < changes.size(); i++) {
            Change change = changes.get(i);
            if (change instanceof Submit) {
                submits.add(i);
            } else if (change instanceof Claim) {
                claims.add(i);
            } else {
                ends.computeIfAbsent(((End) change).transition(), t -> new ArrayList<>()).add(i);
            }
        }
        if (!submits.isEmpty()) {
            List<Submission> submitted = insertSet(submits.stream().map(i -> ((Submit) changes.get(i)).job())
                    .toList(), events);
            for (int k = 0; k < submitted.size(); k++) {
                answers[submits.get(k)] = submitted.get(k);
            }
        }
        if (!claims.isEmpty()) {
            List<Claim> asked = claims.stream().map(i -> (Claim) changes.get(i)).toList();
            Map<String, Job> claimed = byJobId(store.claim(asked.stream().map(Claim::jobId).toList(),
                    asked.stream().map(Claim::lane).toList(), instanceId, lease));
            for (int k = 0; k < asked.size(); k++) {
                // an id asked for twice (a duplicate message) is claimed once: the first asker has it
                Job job = claimed.remove(asked.get(k).jobId());
                if (job != null) {
                    changed(JobTransition.CLAIM, job.jobId(), null, JobStatus.RUNNING, job, events,
                            j -> JobEvents.of(EventType.STARTED, j, null, null));
                }
                answers[claims.get(k)] = Optional.ofNullable(job);
            }
        }
        ends.forEach((transition, indexes) -> {
            List<End> asked = indexes.stream().map(i -> (End) changes.get(i)).toList();
            List<JobStore.Ending> rows = asked.stream().map(End::row).toList();
            Map<String, Job> ended = byJobId(switch (transition) {
                case FINISH -> store.complete(rows);
                case FAIL -> store.fail(rows);
                case RETRY -> store.scheduleRetry(rows);
                default -> throw new IllegalStateException(transition + " is not written in sets");
            });
            for (int k = 0; k < asked.size(); k++) {
                End end = asked.get(k);
                Job job = ended.remove(end.running().jobId());
                if (job != null) {
                    changed(transition, job.jobId(), end.running().status(), end.to(), job, events, end.event());
                    end.recorded().accept(job);
                }
                answers[indexes.get(k)] = Optional.ofNullable(job);
            }
        });
        telemetry.emitAll(events);
        return java.util.Arrays.asList(answers);
    }

    private static Map<String, Job> byJobId(List<Job> jobs) {
        Map<String, Job> byId = new java.util.HashMap<>();
        jobs.forEach(job -> byId.put(job.jobId(), job));
        return byId;
    }

    /** Whether a failed set may fail because of one of its items, so that writing its halves apart helps. */
    private static boolean itemMayBeAtFault(Throwable failure) {
        return !(failure instanceof DataAccessResourceFailureException   // the connection is gone or refused
                || failure instanceof CannotCreateTransactionException  // no connection to begin with
                || failure instanceof TransactionSystemException        // the commit itself failed
                || failure instanceof QueryTimeoutException);
    }

    /**
     * The one step every status change goes through: refuses {@code from -> to} unless {@code transition} and the
     * {@link JobStatus} table allow it ({@code from} null: the caller names the job only, so the statement's guard
     * — the transition's sources — is the check), runs the statement, and emits the event of the change. Run
     * inside the caller's transaction.
     *
     * @throws IllegalJobTransitionException when the move is not allowed, naming the job, from and to
     */
    private Optional<Job> transition(JobTransition transition, String jobId, JobStatus from, JobStatus to,
                                     Supplier<Optional<Job>> statement, Function<Job, JobEvent> event) {
        if (from != null) {
            transition.check(jobId, from, to);
        } else if (!transition.targets().contains(to)) {
            throw new IllegalJobTransitionException(jobId, null, to);
        }
        Optional<Job> changed = statement.get();
        changed.ifPresent(job -> changed(transition, jobId, from, to, job, event));
        return changed;
    }

    private void changed(JobTransition transition, String jobId, JobStatus from, JobStatus to, Job job,
                         Function<Job, JobEvent> event) {
        List<JobEvent> events = new ArrayList<>(1);
        changed(transition, jobId, from, to, job, events, event);
        telemetry.emitAll(events);
    }

    /** Checks what a statement wrote against the transition and adds the change's event to {@code events}. */
    private static void changed(JobTransition transition, String jobId, JobStatus from, JobStatus to, Job job,
                                List<JobEvent> events, Function<Job, JobEvent> event) {
        if (job.status() != to || (from != null && !transition.sources().contains(from))) {
            // the statement wrote something else than it was asked to: its SQL and the transition disagree
            throw new IllegalJobTransitionException(jobId, from, job.status());
        }
        events.add(event.apply(job));
    }

    private static String messageOr(String failure) {
        return failure == null || failure.isBlank() ? "the job failed without a message" : failure;
    }

    private static Map<String, Object> errorEntry(Job job, String errorClass, String message) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("attempt", job.attempts());
        entry.put("at", Instant.now().toString());
        entry.put("exception", errorClass);
        entry.put("message", message);
        return entry;
    }

    private static Map<String, Object> withProcessingTime(Job job, Map<String, Object> metrics) {
        Map<String, Object> all = new LinkedHashMap<>();
        if (metrics != null) {
            all.putAll(metrics);
        }
        if (job.startedAt() != null && job.completedAt() != null && !all.containsKey("processing_time_ms")) {
            all.put("processing_time_ms", Duration.between(job.startedAt(), job.completedAt()).toMillis());
        }
        return all;
    }

    private String toJson(Object value) {
        if (value == null) {
            return null;
        }
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not serialisable as JSON: " + value.getClass(), e);
        }
    }
}
