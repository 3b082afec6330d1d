package dev.conveyor.security;

/** A key just made: the secret is here once, to be handed to its holder, and never again. */
public record IssuedKey(ApiKey key, String secret) {
}
