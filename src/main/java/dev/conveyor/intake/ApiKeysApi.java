package dev.conveyor.intake;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conveyor.security.ApiKey;
import dev.conveyor.security.ApiKeys;
import dev.conveyor.security.IssuedKey;
import dev.conveyor.security.Role;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.springframework.stereotype.Component;

/**
 * Key management for admins, called by the admin-api routes in routes/api.camel.yaml: make a key (its secret
 * shown once), list keys (never a secret), revoke a key (refused from the next request on).
 */
@Component("apiKeysApi")
public class ApiKeysApi {

    private static final int MAX_BODY = 16 * 1024;
    private static final int MAX_NAME = 100;

    private final ApiKeys keys;
    private final ObjectMapper json;

    public ApiKeysApi(ApiKeys keys, ObjectMapper json) {
        this.keys = keys;
        this.json = json;
    }

    /** POST /admin/api-keys {"name", "tenant_id", "role"} → 201 {"key_id", "key", ...}. */
    public void create(Exchange exchange) throws IOException {
        Message in = exchange.getMessage();
        String contentType = in.getHeader(Exchange.CONTENT_TYPE, String.class);
        if (contentType == null || !contentType.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
            throw new ProblemException(415, "Unsupported Media Type",
                    "send {\"name\", \"tenant_id\", \"role\"} with Content-Type: application/json");
        }
        JsonNode body = read(in);
        List<String> errors = new ArrayList<>();
        String name = text(body, "name");
        if (name == null || name.isBlank() || name.length() > MAX_NAME || name.chars().anyMatch(Character::isISOControl)) {
            errors.add("'name' is required: 1 to " + MAX_NAME + " characters, no control characters");
        }
        String tenant = text(body, "tenant_id");
        if (!ApiKeys.isTenantId(tenant)) {
            errors.add("'tenant_id' is required: 1-64 letters, digits, '_', '.' or '-'");
        }
        String roleName = text(body, "role");
        Role role = Role.parse(roleName).orElse(null);
        if (role == null) {
            errors.add("'role' must be one of reader, submitter, operator, admin (was '" + Echo.of(roleName) + "')");
        }
        body.fieldNames().forEachRemaining(field -> {
            if (!List.of("name", "tenant_id", "role").contains(field)) {
                errors.add("unknown field '" + Echo.of(field) + "' (allowed: name, tenant_id, role)");
            }
        });
        if (!errors.isEmpty()) {
            throw new ProblemException(422, "Unprocessable Content", String.join("; ", errors), errors);
        }
        IssuedKey issued = keys.create(name.trim(), tenant, role);
        Map<String, Object> view = view(issued.key());
        view.put("key", issued.secret());
        respond(exchange, 201, view);
        exchange.getMessage().setHeader("Location", "/admin/api-keys/" + issued.key().keyId());
    }

    /** GET /admin/api-keys: every key, revoked ones included, without secrets. */
    public void list(Exchange exchange) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("api_keys", keys.list().stream().map(ApiKeysApi::view).toList());
        respond(exchange, 200, body);
    }

    /** DELETE /admin/api-keys/{key_id}: revoked at once. */
    public void revoke(Exchange exchange) {
        String keyId = exchange.getMessage().getHeader("key_id", String.class);
        ApiKey revoked = keys.revoke(keyId).orElseThrow(() -> ProblemException.notFound("no API key "
                + Echo.of(keyId)));
        respond(exchange, 200, view(revoked));
    }

    private JsonNode read(Message in) throws IOException {
        InputStream stream = in.getBody(InputStream.class);
        byte[] bytes = stream == null ? new byte[0] : stream.readNBytes(MAX_BODY + 1);
        if (bytes.length > MAX_BODY) {
            throw ProblemException.tooLarge("a key request is at most " + MAX_BODY + " bytes");
        }
        try {
            JsonNode node = bytes.length == 0 ? null : json.readTree(bytes);
            if (node == null || !node.isObject()) {
                throw ProblemException.badRequest("the body must be a JSON object {\"name\", \"tenant_id\", \"role\"}");
            }
            return node;
        } catch (JacksonException e) {
            throw ProblemException.badRequest("malformed JSON: " + Echo.of(e.getOriginalMessage()));
        }
    }

    private static String text(JsonNode body, String field) {
        JsonNode node = body.get(field);
        return node != null && node.isTextual() ? node.asText() : null;
    }

    private static Map<String, Object> view(ApiKey key) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("key_id", key.keyId());
        view.put("name", key.name());
        view.put("tenant_id", key.tenantId());
        view.put("role", key.role().wireName());
        view.put("created_at", key.createdAt().toString());
        view.put("revoked_at", key.revokedAt() == null ? null : key.revokedAt().toString());
        return view;
    }

    private void respond(Exchange exchange, int status, Object body) {
        Message out = exchange.getMessage();
        out.getHeaders().clear();
        out.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        out.setHeader(Exchange.CONTENT_TYPE, "application/json");
        try {
            out.setBody(json.writeValueAsString(body));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
