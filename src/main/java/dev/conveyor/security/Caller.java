package dev.conveyor.security;

/**
 * Who is calling: the API key a request authenticated with. The tenant is the key's, never one a caller names,
 * except that an admin may act for another tenant (X-Tenant-Id).
 */
public record Caller(String keyId, String name, String tenantId, Role role) {

    public boolean may(Role needed) {
        return role.includes(needed);
    }
}
