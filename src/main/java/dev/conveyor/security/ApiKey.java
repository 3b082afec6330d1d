package dev.conveyor.security;

import java.time.Instant;

/** An API key as listed: everything but the secret, which is never stored (only its hash). */
public record ApiKey(String keyId, String name, String tenantId, Role role, Instant createdAt, Instant revokedAt) {

    public boolean revoked() {
        return revokedAt != null;
    }
}
