package dev.conveyor.schedule;

import java.time.Clock;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conveyor.intake.Echo;
import dev.conveyor.intake.JobIntake;
import dev.conveyor.intake.JobRequest;
import dev.conveyor.intake.JobRequestParser;
import dev.conveyor.intake.ProblemException;
import org.springframework.stereotype.Component;

/**
 * Checks a schedule's definition, from {@code PUT /schedules/{name}} or application.yaml alike: the cron expression
 * (the field at fault named), the zone, the misfire policy, and the job, which must be one {@code POST /jobs} would
 * take from the schedule's tenant, checked by the same parser and intake (all but the checks of what exists at
 * the moment, such as a file, which each tick's job passes when it is made). Nothing is written.
 */
@Component
public class ScheduleDefinitions {

    /** The same rule as a tenant id: it becomes part of each tick's idempotency key and of log lines. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    private static final Set<String> FIELDS = Set.of("cron", "zone", "job", "misfire");
    /** The source of the jobs schedules make (jobs.source). */
    static final String SOURCE = "schedule";

    private final JobRequestParser parser;
    private final JobIntake intake;
    private final Clock clock;
    private final ObjectMapper json;

    public ScheduleDefinitions(JobRequestParser parser, JobIntake intake, Clock clock, ObjectMapper json) {
        this.parser = parser;
        this.intake = intake;
        this.clock = clock;
        this.json = json;
    }

    public static boolean isName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    /**
     * @param keyId the API key the schedule's jobs are recorded as submitted by (null for a declared schedule)
     * @throws ProblemException 422 listing every error, each naming its field
     */
    public ScheduleDefinition check(String tenantId, String keyId, JsonNode body) {
        if (body == null || !body.isObject()) {
            throw ProblemException.unprocessable("a schedule is a JSON object: {\"cron\": \"0 2 * * *\", "
                    + "\"zone\": \"UTC\", \"job\": {...what POST /jobs takes...}, \"misfire\": \"skip\"}");
        }
        List<String> errors = new ArrayList<>();
        for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
            String field = names.next();
            if (!FIELDS.contains(field)) {
                errors.add("unknown field '" + Echo.of(field) + "' (allowed: cron, zone, job, misfire)");
            }
        }
        Cron cron = cron(text(body, "cron", errors), errors);
        ZoneId zone = zone(text(body, "zone", errors), errors);
        String misfireText = text(body, "misfire", errors);
        Optional<Misfire> misfire = Misfire.parse(misfireText);
        if (misfire.isEmpty()) {
            errors.add("'misfire' must be skip or run_once (was '" + Echo.of(misfireText) + "')");
        }
        JsonNode job = body.get("job");
        checkJob(tenantId, keyId, job, errors);
        if (cron != null && zone != null && cron.next(clock.instant(), zone) == null) {
            errors.add("'cron' '" + cron.text() + "' never fires (such as a day 30 of February)");
        }
        if (!errors.isEmpty()) {
            throw new ProblemException(422, "Unprocessable Content", String.join("; ", errors), errors);
        }
        return new ScheduleDefinition(cron, zone, job, misfire.get());
    }

    /** The request a tick submits: the schedule's job, from the schedule, by the key that put it. */
    public JobRequest jobRequest(String tenantId, String keyId, JsonNode job) {
        return parser.parse(tenantId, job, null).submittedBy(keyId).from(SOURCE);
    }

    /** The request of one of a stored schedule's jobs, named {@code idempotencyKey}. */
    public JobRequest jobRequest(Schedule schedule, String idempotencyKey) {
        JsonNode job;
        try {
            job = json.readTree(schedule.job());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("schedule " + schedule.name() + " holds a job that is not JSON", e);
        }
        return jobRequest(schedule.tenantId(), schedule.createdBy(), job).withIdempotencyKey(idempotencyKey);
    }

    /** The JSON text of a checked job, as the schedules table keeps it. */
    public String jobText(ScheduleDefinition definition) {
        try {
            return json.writeValueAsString(definition.job());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private void checkJob(String tenantId, String keyId, JsonNode job, List<String> errors) {
        if (job == null || !job.isObject()) {
            errors.add("'job' is required: the body POST /jobs takes, e.g. {\"type\": \"warehouse_load\", "
                    + "\"payload\": {...}}");
            return;
        }
        // each tick names its job and runs it at the tick: a fixed key or time would make every tick the same job
        for (String owned : List.of("run_at", "idempotency_key")) {
            if (job.has(owned)) {
                errors.add("'job." + owned + "' is set by each tick; remove it (a 'delay' is allowed)");
            }
        }
        if (!errors.isEmpty()) {
            return;
        }
        try {
            // not the processor's checks of what exists now: the file a nightly load reads may arrive later; a tick
            // whose job fails them makes no job, and says why in the log
            intake.checkShape(jobRequest(tenantId, keyId, job));
        } catch (ProblemException e) {
            List<String> jobErrors = e.errors().isEmpty() ? List.of(e.getMessage()) : e.errors();
            jobErrors.forEach(error -> errors.add("job: " + error));
        }
    }

    private static Cron cron(String text, List<String> errors) {
        try {
            return Cron.parse(text);
        } catch (Cron.InvalidCronException e) {
            errors.add("'cron' " + e.getMessage());
            return null;
        }
    }

    private static ZoneId zone(String text, List<String> errors) {
        if (text == null) {
            return ZoneId.of("UTC");
        }
        try {
            return ZoneId.of(text);
        } catch (DateTimeException e) {
            errors.add("'zone' '" + Echo.of(text) + "' is not a time zone; use a region id such as Europe/Berlin, or UTC");
            return null;
        }
    }

    private static String text(JsonNode body, String field, List<String> errors) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            errors.add("'" + field + "' must be a string");
            return null;
        }
        return node.asText();
    }
}
