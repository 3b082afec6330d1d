package dev.conveyor.intake;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
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
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Key management for admins (docs/security.md; SecurityConfig keeps /admin/** to admin keys): make a key (its
 * secret shown once), list keys (never a secret), revoke a key (refused from the next request on).
 */
@RestController
@RequestMapping("/admin/api-keys")
public class ApiKeysController {

    private static final int MAX_BODY = 16 * 1024;
    private static final int MAX_NAME = 100;

    private final ApiKeys keys;
    private final ObjectMapper json;

    public ApiKeysController(ApiKeys keys, ObjectMapper json) {
        this.keys = keys;
        this.json = json;
    }

    /** POST /admin/api-keys {"name", "tenant_id", "role"} → 201 {"key_id", "key", ...}. */
    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<Map<String, Object>> create(InputStream body) throws IOException {
        JsonNode request = read(body);
        List<String> errors = new ArrayList<>();
        String name = text(request, "name");
        if (name == null || name.isBlank() || name.length() > MAX_NAME || name.chars().anyMatch(Character::isISOControl)) {
            errors.add("'name' is required: 1 to " + MAX_NAME + " characters, no control characters");
        }
        String tenant = text(request, "tenant_id");
        if (!ApiKeys.isTenantId(tenant)) {
            errors.add("'tenant_id' is required: 1-64 letters, digits, '_', '.' or '-'");
        }
        String roleName = text(request, "role");
        Role role = Role.parse(roleName).orElse(null);
        if (role == null) {
            errors.add("'role' must be one of reader, submitter, operator, admin (was '" + Echo.of(roleName) + "')");
        }
        request.fieldNames().forEachRemaining(field -> {
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
        return ResponseEntity.created(URI.create("/admin/api-keys/" + issued.key().keyId())).body(view);
    }

    /** GET /admin/api-keys: every key, revoked ones included, without secrets. */
    @GetMapping
    Map<String, Object> list() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("api_keys", keys.list().stream().map(ApiKeysController::view).toList());
        return body;
    }

    /** DELETE /admin/api-keys/{key_id}: revoked at once. */
    @DeleteMapping("/{key_id}")
    Map<String, Object> revoke(@PathVariable("key_id") String keyId) {
        ApiKey revoked = keys.revoke(keyId).orElseThrow(() -> ProblemException.notFound("no API key "
                + Echo.of(keyId)));
        return view(revoked);
    }

    private JsonNode read(InputStream body) throws IOException {
        byte[] bytes = body == null ? new byte[0] : body.readNBytes(MAX_BODY + 1);
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
}
