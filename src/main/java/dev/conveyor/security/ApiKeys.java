package dev.conveyor.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.conveyor.config.SecurityProperties;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The api_keys table. A key is 32 random bytes, URL-safe base64, behind the prefix {@code cvk_} (so a leaked
 * one is easy to recognise in a log or a repository); only its SHA-256 is stored. A random 256-bit key needs no
 * slow hash: nothing can be guessed from the digest.
 * <p>
 * A key found valid is trusted for {@code conveyor.security.key-cache-seconds} (5) without asking the database
 * again: the lookup was one query and one commit per request, the largest wait of POST /jobs. Revoking or
 * re-creating a key through this instance forgets it at once; a key revoked through another instance is refused
 * here at most that many seconds later (docs/security.md). Only valid keys are kept, by digest, never the secret.
 */
@Component
public class ApiKeys {

    public static final String PREFIX = "cvk_";
    /** The key_id of the admin key that CONVEYOR_ADMIN_KEY sets, or that the first start generated. */
    public static final String BOOTSTRAP_KEY_ID = "key_admin";
    private static final Pattern TENANT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final NamedParameterJdbcTemplate jdbc;
    private final Cache<String, Caller> valid;

    @Autowired
    public ApiKeys(NamedParameterJdbcTemplate jdbc, SecurityProperties security) {
        this(jdbc, Duration.ofSeconds(security.keyCacheSeconds()), Ticker.systemTicker());
    }

    /** With the cache's clock given, for tests that move time. */
    ApiKeys(NamedParameterJdbcTemplate jdbc, Duration trustFor, Ticker ticker) {
        this.jdbc = jdbc;
        this.valid = Caffeine.newBuilder().expireAfterWrite(trustFor).maximumSize(10_000).ticker(ticker).build();
    }

    public static boolean isTenantId(String tenantId) {
        return tenantId != null && TENANT.matcher(tenantId).matches();
    }

    /** A new random secret in the key format. */
    public static String newSecret() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Makes a key for {@code tenantId} with {@code role}; the returned secret is the only copy there will be. */
    public IssuedKey create(String name, String tenantId, Role role) {
        byte[] id = new byte[8];
        RANDOM.nextBytes(id);
        String secret = newSecret();
        ApiKey key = jdbc.queryForObject("""
                INSERT INTO api_keys (key_id, name, tenant_id, role, key_hash)
                VALUES (:keyId, :name, :tenantId, :role, :hash)
                RETURNING *
                """, new MapSqlParameterSource("keyId", "key_" + HexFormat.of().formatHex(id))
                .addValue("name", name).addValue("tenantId", tenantId).addValue("role", role.wireName())
                .addValue("hash", hash(secret)), ApiKeys::map);
        return new IssuedKey(key, secret);
    }

    /**
     * Makes {@code secret} the bootstrap admin key (key_id {@value #BOOTSTRAP_KEY_ID}). The same secret again
     * changes nothing (a revoked bootstrap key stays revoked); a different one replaces the old, which stops
     * working at once.
     */
    public void putBootstrapAdmin(String secret, String tenantId) {
        jdbc.update("""
                INSERT INTO api_keys (key_id, name, tenant_id, role, key_hash)
                VALUES (:keyId, 'bootstrap admin', :tenantId, 'admin', :hash)
                ON CONFLICT (key_id) DO UPDATE
                    SET key_hash = EXCLUDED.key_hash, tenant_id = EXCLUDED.tenant_id, role = 'admin',
                        revoked_at = NULL, created_at = now()
                    WHERE api_keys.key_hash <> EXCLUDED.key_hash
                """, new MapSqlParameterSource("keyId", BOOTSTRAP_KEY_ID).addValue("tenantId", tenantId)
                .addValue("hash", hash(secret)));
        forget(BOOTSTRAP_KEY_ID);
    }

    /** Whether any key exists, revoked or not: only a service that never had one generates the first. */
    public boolean anyExists() {
        return Boolean.TRUE.equals(jdbc.queryForObject("SELECT EXISTS (SELECT 1 FROM api_keys)",
                new MapSqlParameterSource(), Boolean.class));
    }

    /** The caller a secret stands for; empty for an unknown or revoked key. */
    public Optional<Caller> authenticate(String secret) {
        if (secret == null || !secret.startsWith(PREFIX) && secret.length() < 32) {
            return Optional.empty();
        }
        byte[] digest = hash(secret);
        String cacheKey = HexFormat.of().formatHex(digest);
        Caller known = valid.getIfPresent(cacheKey);
        if (known != null) {
            return Optional.of(known);
        }
        Optional<Caller> caller = jdbc.query("SELECT * FROM api_keys WHERE key_hash = :hash AND revoked_at IS NULL",
                        new MapSqlParameterSource("hash", digest), ApiKeys::map).stream()
                .findFirst().map(key -> new Caller(key.keyId(), key.name(), key.tenantId(), key.role()));
        caller.ifPresent(found -> valid.put(cacheKey, found));
        return caller;
    }

    /** Forgets what was looked up for a key id: its next request asks the database. */
    private void forget(String keyId) {
        valid.asMap().values().removeIf(caller -> caller.keyId().equals(keyId));
    }

    public List<ApiKey> list() {
        return jdbc.query("SELECT * FROM api_keys ORDER BY created_at, key_id", new MapSqlParameterSource(),
                ApiKeys::map);
    }

    public Optional<ApiKey> find(String keyId) {
        return jdbc.query("SELECT * FROM api_keys WHERE key_id = :keyId",
                new MapSqlParameterSource("keyId", keyId), ApiKeys::map).stream().findFirst();
    }

    /** Revokes the key at once: the next request with it is refused. Empty when there is no such key. */
    public Optional<ApiKey> revoke(String keyId) {
        Optional<ApiKey> revoked = jdbc.query("""
                UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE key_id = :keyId RETURNING *
                """, new MapSqlParameterSource("keyId", keyId), ApiKeys::map).stream().findFirst();
        forget(keyId);
        return revoked;
    }

    static byte[] hash(String secret) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    private static ApiKey map(ResultSet rs, int row) throws SQLException {
        Timestamp revoked = rs.getTimestamp("revoked_at");
        return new ApiKey(rs.getString("key_id"), rs.getString("name"), rs.getString("tenant_id"),
                Role.parse(rs.getString("role")).orElseThrow(), rs.getTimestamp("created_at").toInstant(),
                revoked == null ? null : revoked.toInstant());
    }

}
