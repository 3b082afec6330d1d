package dev.conveyor.intake;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conveyor.job.JobIds;
import dev.conveyor.job.JobLifecycle;
import dev.conveyor.job.JobStore;
import dev.conveyor.job.NewJob;
import dev.conveyor.job.Priority;
import dev.conveyor.job.Submission;
import dev.conveyor.queue.DispatchSignal;
import dev.conveyor.worker.JobProcessor;
import dev.conveyor.worker.JobProcessors;
import dev.conveyor.worker.RetryPolicy;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The one way into the jobs table, whatever the source: checks a request against its type's contract,
 * writes the QUEUED row (idempotently), then wakes the dispatcher.
 */
@Service
public class JobIntake {

    private static final int MAX_ID_LENGTH = 255;
    /** Far enough for any real wait, near enough that adding it to the clock cannot overflow. */
    private static final Duration MAX_DELAY = Duration.ofDays(3650);
    private static final Pattern LISTING_KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

    private final PayloadSchemas schemas;
    private final JobProcessors processors;
    private final JobLifecycle lifecycle;
    private final JobStore store;
    private final DispatchSignal dispatchSignal;
    private final ObjectMapper json;
    private final RetryPolicy retryPolicy;
    private final Clock clock;
    private final UniqueKeys uniqueKeys;
    private final TransactionTemplate tx;

    public JobIntake(PayloadSchemas schemas, JobProcessors processors, JobLifecycle lifecycle, JobStore store, DispatchSignal dispatchSignal,
                     ObjectMapper json, RetryPolicy retryPolicy, Clock clock, UniqueKeys uniqueKeys,
                     TransactionTemplate tx) {
        this.uniqueKeys = uniqueKeys;
        this.tx = tx;
        this.schemas = schemas;
        this.processors = processors;
        this.lifecycle = lifecycle;
        this.store = store;
        this.dispatchSignal = dispatchSignal;
        this.json = json;
        this.retryPolicy = retryPolicy;
        this.clock = clock;
    }

    /**
     * @throws ProblemException 422 when the request breaks its type's contract, 409 when its idempotency key
     *                          was used for a different request or ({@link UniqueKeyConflictException}) another job
     *                          holds its unique key
     */
    public Submission submit(JobRequest request) {
        NewJob job = prepare(request);
        Submission submission = job.uniqueKey() == null ? lifecycle.submit(job) : submitUnique(job);
        if (!submission.created() && !job.requestHash().equals(submission.job().requestHash())) {
            throw new ProblemException(409, "Conflict", "Idempotency-Key '" + Echo.of(request.idempotencyKey())
                    + "' was already used for a different request (" + submission.job().jobId() + ")");
        }
        if (submission.created()) {
            dispatchSignal.wake();
        }
        return submission;
    }

    /**
     * As {@link #submit}, written in the caller's transaction (joining it), so the job commits or rolls back with
     * what the caller writes beside it (a schedule's next tick). The dispatcher is not woken: the caller does that
     * after its commit ({@link DispatchSignal#wake}).
     *
     * @throws ProblemException as {@link #submit}
     */
    public Submission submitInTransaction(JobRequest request) {
        NewJob job = prepare(request);
        if (job.uniqueKey() != null) {
            // the caller's transaction holds the key's lock until it ends, as submitUnique's does
            String holder = uniqueKeys.heldElsewhere(List.of(job)).get(0);
            if (holder != null) {
                throw new UniqueKeyConflictException(job.uniqueKey(), holder);
            }
        }
        Submission submission = lifecycle.submitAll(List.of(job)).get(0);
        if (!submission.created() && !job.requestHash().equals(submission.job().requestHash())) {
            throw new ProblemException(409, "Conflict", "Idempotency-Key '" + Echo.of(request.idempotencyKey())
                    + "' was already used for a different request (" + submission.job().jobId() + ")");
        }
        return submission;
    }

    /**
     * A job with a unique key: the key locked and looked up, and the job inserted, in one transaction (the
     * lifecycle's write joins it), so that of concurrent submits of the key exactly one gets in. The refusal is
     * thrown once that transaction is left: thrown inside it, it would mark a caller's transaction that this one
     * joined (the SQL source's, which rejects the row and goes on) rollback-only.
     */
    private Submission submitUnique(NewJob job) {
        Object written = tx.execute(status -> {
            String holder = uniqueKeys.heldElsewhere(List.of(job)).get(0);
            return holder != null ? new UniqueKeyConflictException(job.uniqueKey(), holder) : lifecycle.submit(job);
        });
        if (written instanceof UniqueKeyConflictException refused) {
            throw refused;
        }
        return (Submission) written;
    }

    /**
     * Checks the request against its type's contract and makes the row to write, writing nothing.
     *
     * @throws ProblemException 422 when the request breaks its type's contract
     */
    public NewJob prepare(JobRequest request) {
        return prepare(request, true);
    }

    /**
     * The checks of {@link #prepare} that hold whenever the job is made (its type, payload schema and fields), not
     * the processor's own, which look at what exists now (such as the file a job reads): a schedule's job is
     * checked so when the schedule is put, and fully at each tick.
     *
     * @throws ProblemException 422 when the request breaks its type's contract
     */
    public void checkShape(JobRequest request) {
        prepare(request, false);
    }

    private NewJob prepare(JobRequest request, boolean processorChecks) {
        List<String> errors = new ArrayList<>();
        if (!schemas.knows(request.type())) {
            throw ProblemException.unprocessable("unknown job type '" + Echo.of(request.type()) + "'; known types: "
                    + String.join(", ", schemas.types().stream().filter(type -> !internal(type)).sorted().toList()));
        }
        if (internal(request.type())) {
            throw ProblemException.unprocessable("job type '" + request.type() + "' is internal: the service makes "
                    + "these jobs itself (a batch's webhook callback is given as 'on_complete' or 'on_success' "
                    + "{\"webhook\": {\"url\": ...}} of POST /jobs/batch)");
        }
        List<String> violations = schemas.violations(request.type(), request.payload());
        violations.forEach(v -> errors.add("payload " + v));
        if (violations.isEmpty() && processorChecks) {
            processors.forType(request.type()).ifPresent(p -> errors.addAll(p.checkPayload(request.tenantId(), request.payload())));
        }
        Optional<Priority> priority = Priority.parse(request.priority());
        if (priority.isEmpty()) {
            errors.add("'priority' must be one of high, normal, low (was '" + Echo.of(request.priority()) + "')");
        }
        Instant runAt = request.delay() == null ? parseRunAt(request.runAt(), errors)
                : dueAfterDelay(request, errors);
        checkLength("correlation_id", request.correlationId(), errors);
        checkLength("idempotency_key", request.idempotencyKey(), errors);
        checkLength("unique_key", request.uniqueKey(), errors);
        Duration uniqueFor = parseUniqueFor(request.uniqueFor(), errors);
        if (request.parentJobId() != null
                && (!JobIds.isWellFormed(request.parentJobId())
                || store.find(request.tenantId(), request.parentJobId()).isEmpty())) {
            errors.add("'parent_job_id' " + request.parentJobId() + " is not a job of this tenant");
        }
        String marketplace = listingKey(request.payload(), "marketplace", errors);
        String category = listingKey(request.payload(), "category", errors);
        String region = listingKey(request.payload(), "region", errors);
        if (!errors.isEmpty()) {
            throw new ProblemException(422, "Unprocessable Content", String.join("; ", errors), errors);
        }
        String payloadJson = toJson(request.payload());
        // only a replay of an idempotency key compares it with the first request's: no key, no hash (a SHA-256 of
        // the payload was 5% of the service's CPU in bench/run's W1-batch)
        String requestHash = request.idempotencyKey() == null ? null : hash(request.type() + "\n" + payloadJson
                + "\n" + priority.get() + "\n" + request.runAt() + "\n" + request.parentJobId()
                // a delay is hashed as asked, not as the run_at it gave, so a replay a moment later matches
                + (request.delay() == null ? "" : "\ndelay " + request.delay())
                // appended only when there is one, so a job without a unique key keeps the hash it always had
                + (request.uniqueKey() == null ? "" : "\n" + request.uniqueKey() + "\n" + uniqueFor));
        return new NewJob(request.tenantId(), request.type(), request.source(),
                priority.get(), payloadJson, payloadSize(request, payloadJson), request.idempotencyKey(),
                requestHash, request.correlationId(), request.parentJobId(), marketplace, category, region, runAt,
                retryPolicy.maxAttempts(request.type()), request.submittedBy(), request.uniqueKey(), uniqueFor,
                request.batchId());
    }

    private boolean internal(String type) {
        return processors.forType(type).map(JobProcessor::internal).orElse(false);
    }

    /** A job's size for routing: the size of the file it reads when there is one, else its payload's. */
    private static long payloadSize(JobRequest request, String payloadJson) {
        return request.fileSizeBytes() != null ? request.fileSizeBytes()
                : payloadJson.getBytes(StandardCharsets.UTF_8).length;
    }

    private static Instant parseRunAt(String runAt, List<String> errors) {
        if (runAt == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(runAt).toInstant();
        } catch (DateTimeParseException e) {
            errors.add("'run_at' must be an ISO-8601 date-time with an offset, e.g. 2026-01-31T12:00:00Z (was '"
                    + Echo.of(runAt) + "')");
            return null;
        }
    }

    /** When a request with a {@code delay} is due: that long after now, by the service's clock. */
    private Instant dueAfterDelay(JobRequest request, List<String> errors) {
        if (request.runAt() != null) {
            errors.add("give either 'run_at' or 'delay', not both");
            return null;
        }
        Duration delay;
        try {
            delay = Duration.parse(request.delay());
        } catch (DateTimeParseException e) {
            errors.add("'delay' must be an ISO-8601 duration, e.g. PT10M or P1DT2H (was '" + Echo.of(request.delay())
                    + "')");
            return null;
        }
        if (delay.isNegative()) {
            errors.add("'delay' must not be negative (was '" + Echo.of(request.delay()) + "')");
            return null;
        }
        if (delay.compareTo(MAX_DELAY) > 0) {
            errors.add("'delay' must be at most " + MAX_DELAY + " (ten years; was '" + Echo.of(request.delay()) + "')");
            return null;
        }
        return clock.instant().plus(delay);
    }

    /** A unique key's period: a positive ISO-8601 duration (PT10M, P1D); null: the key is held while the job is active. */
    private static Duration parseUniqueFor(String uniqueFor, List<String> errors) {
        if (uniqueFor == null) {
            return null;
        }
        try {
            Duration period = Duration.parse(uniqueFor);
            if (period.isNegative() || period.isZero()) {
                errors.add("'unique_for' must be a positive duration (was '" + Echo.of(uniqueFor) + "')");
                return null;
            }
            return period;
        } catch (DateTimeParseException e) {
            errors.add("'unique_for' must be an ISO-8601 duration such as PT10M or P1D (was '" + Echo.of(uniqueFor)
                    + "'); leave it out to hold the key while the job is active");
            return null;
        }
    }

    private static void checkLength(String field, String value, List<String> errors) {
        if (value != null && (value.isBlank() || value.length() > MAX_ID_LENGTH)) {
            errors.add("'" + field + "' must be 1 to " + MAX_ID_LENGTH + " characters");
        }
    }

    private static String listingKey(JsonNode payload, String field, List<String> errors) {
        JsonNode node = payload.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        String value = node.asText();
        if (!node.isTextual() || !LISTING_KEY.matcher(value).matches()) {
            errors.add("payload '" + field + "' must be 1-64 letters, digits, '_', '.' or '-' (was '"
                    + Echo.of(value) + "')");
            return null;
        }
        return value;
    }

    private String toJson(JsonNode node) {
        try {
            return json.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static String hash(String text) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
