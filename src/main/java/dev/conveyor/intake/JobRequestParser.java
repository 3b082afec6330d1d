package dev.conveyor.intake;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.springframework.stereotype.Component;

/** Turns the JSON body of {@code POST /jobs} into a {@link JobRequest}: 400 if it is not JSON, 422 if ill-typed. */
@Component
public class JobRequestParser {

    private static final Set<String> FIELDS = Set.of("type", "payload", "priority", "run_at", "correlation_id",
            "parent_job_id", "idempotency_key", "delay", "unique_key", "unique_for");

    private final ObjectMapper json;

    public JobRequestParser(ObjectMapper json) {
        this.json = json;
    }

    public JobRequest parse(String tenantId, byte[] body, String idempotencyHeader) {
        return parse(tenantId, readJson(body), idempotencyHeader);
    }

    /** As {@link #parse(String, byte[], String)} for a body already read as JSON (an item of a batch). */
    public JobRequest parse(String tenantId, JsonNode root, String idempotencyHeader) {
        if (!root.isObject()) {
            throw ProblemException.badRequest("the request body must be a JSON object, not "
                    + root.getNodeType().name().toLowerCase());
        }
        List<String> errors = new ArrayList<>();
        for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                errors.add("unknown field '" + Echo.of(name) + "' (allowed: type, payload, priority, run_at, "
                        + "delay, correlation_id, parent_job_id, idempotency_key, unique_key, unique_for)");
            }
        }
        String type = text(root, "type", errors);
        if (!root.hasNonNull("type")) {
            errors.add("'type' is required");
        }
        JsonNode payload = root.get("payload");
        if (payload == null || payload.isNull()) {
            errors.add("'payload' is required and must be a JSON object");
        } else if (!payload.isObject()) {
            errors.add("'payload' must be a JSON object, not " + payload.getNodeType().name().toLowerCase());
        }
        String priority = text(root, "priority", errors);
        String runAt = text(root, "run_at", errors);
        String delay = text(root, "delay", errors);
        String correlationId = text(root, "correlation_id", errors);
        String parentJobId = text(root, "parent_job_id", errors);
        String bodyKey = text(root, "idempotency_key", errors);
        String uniqueKey = text(root, "unique_key", errors);
        String uniqueFor = text(root, "unique_for", errors);
        if (uniqueFor != null && uniqueKey == null) {
            errors.add("'unique_for' needs a 'unique_key': it says how long that key is held");
        }
        if (idempotencyHeader != null && bodyKey != null && !idempotencyHeader.equals(bodyKey)) {
            errors.add("the Idempotency-Key header and the idempotency_key field differ");
        }
        for (String field : List.of("type", "priority", "run_at", "delay", "correlation_id", "parent_job_id",
                "idempotency_key", "unique_key", "unique_for")) {
            if (root.get(field) != null && root.get(field).isTextual() && hasControl(root.get(field).asText())) {
                errors.add("'" + field + "' contains a control character (such as \\u0000); remove it");
            }
        }
        if (idempotencyHeader != null && hasControl(idempotencyHeader)) {
            errors.add("the Idempotency-Key header contains a control character; remove it");
        }
        if (payload != null && payload.isObject()) {
            nulIn(payload, "payload").ifPresent(path -> errors.add("'" + Echo.of(path) + "' contains the character "
                    + "\\u0000, which cannot be stored; remove it"));
        }
        if (!errors.isEmpty()) {
            throw new ProblemException(422, "Unprocessable Content", String.join("; ", errors), errors);
        }
        return JobRequest.of(tenantId, "api", type, payload, priority, runAt, correlationId, parentJobId,
                idempotencyHeader != null ? idempotencyHeader : bodyKey).delayedBy(delay).unique(uniqueKey, uniqueFor);
    }

    JsonNode readJson(byte[] body) {
        if (body.length == 0) {
            throw ProblemException.badRequest("the request body is empty; expected a JSON object");
        }
        try {
            JsonNode node = json.readTree(body);
            if (node == null || node.isMissingNode()) {
                throw ProblemException.badRequest("the request body is empty; expected a JSON object");
            }
            return node;
        } catch (JacksonException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw ProblemException.badRequest("malformed JSON" + where + ": " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw ProblemException.badRequest("the request body could not be read: " + e.getMessage());
        }
    }

    /** Identifiers and names: no control character at all (they end up in logs, headers and file names). */
    private static boolean hasControl(String value) {
        return value.chars().anyMatch(Character::isISOControl);
    }

    /**
     * The first place in a payload whose name or text holds U+0000: PostgreSQL's text and jsonb cannot store it,
     * so it is refused here, as the caller's mistake, instead of failing the insert.
     */
    private static java.util.Optional<String> nulIn(JsonNode node, String path) {
        if (node.isTextual()) {
            return node.asText().indexOf('\0') >= 0 ? java.util.Optional.of(path) : java.util.Optional.empty();
        }
        if (node.isObject()) {
            for (Iterator<java.util.Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
                java.util.Map.Entry<String, JsonNode> field = fields.next();
                String at = path + "." + field.getKey();
                if (field.getKey().indexOf('\0') >= 0) {
                    return java.util.Optional.of(at);
                }
                java.util.Optional<String> found = nulIn(field.getValue(), at);
                if (found.isPresent()) {
                    return found;
                }
            }
        }
        if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                java.util.Optional<String> found = nulIn(node.get(i), path + "[" + i + "]");
                if (found.isPresent()) {
                    return found;
                }
            }
        }
        return java.util.Optional.empty();
    }

    private static String text(JsonNode root, String field, List<String> errors) {
        JsonNode node = root.get(field);
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
