package dev.conveyor.security;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * What an API key may do, each role including the ones before it: a {@code reader} reads, a {@code submitter}
 * also submits jobs, an {@code operator} also cancels, retries and replays and may log in to Hawtio, and an
 * {@code admin} does everything, for every tenant, and manages keys (docs/security.md).
 */
public enum Role {
    READER, SUBMITTER, OPERATOR, ADMIN;

    /** The name as the API and the api_keys table spell it. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The Spring Security authority that stands for this role (the hierarchy adds the lower ones). */
    public String authority() {
        return "ROLE_" + name();
    }

    public boolean includes(Role other) {
        return compareTo(other) >= 0;
    }

    public static Optional<Role> parse(String name) {
        return Arrays.stream(values()).filter(role -> role.wireName().equals(name)).findFirst();
    }
}
