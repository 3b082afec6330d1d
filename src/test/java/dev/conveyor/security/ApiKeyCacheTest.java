package dev.conveyor.security;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import dev.conveyor.support.ConveyorIntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How long a looked-up key is trusted, against the real api_keys table, with the cache's clock moved by hand: a key
 * revoked behind this instance's back (as another instance revokes it, straight in the table) is refused once its
 * trust ran out, and not before; one revoked through this instance is refused at once; with no trust at all every
 * request asks the table.
 */
@ConveyorIntegrationTest
class ApiKeyCacheTest {

    private static final Duration TRUST = Duration.ofSeconds(5);

    @Autowired
    NamedParameterJdbcTemplate jdbc;

    private final AtomicLong nanos = new AtomicLong();

    @Test
    void aKeyRevokedByAnotherInstanceIsRefusedOnceItsTrustRunsOut() {
        ApiKeys keys = new ApiKeys(jdbc, TRUST, nanos::get);
        IssuedKey issued = keys.create("cache test", "default", Role.SUBMITTER);
        assertThat(keys.authenticate(issued.secret())).isPresent();

        revokeBehindItsBack(issued.key().keyId());
        nanos.addAndGet(TRUST.minusMillis(1).toNanos());
        assertThat(keys.authenticate(issued.secret())).as("still trusted just before the trust runs out").isPresent();

        nanos.addAndGet(Duration.ofMillis(1).toNanos());
        assertThat(keys.authenticate(issued.secret())).as("asked the table again, which says revoked").isEmpty();
    }

    @Test
    void aKeyRevokedThroughThisInstanceIsRefusedAtOnce() {
        ApiKeys keys = new ApiKeys(jdbc, TRUST, nanos::get);
        IssuedKey issued = keys.create("cache test", "default", Role.SUBMITTER);
        assertThat(keys.authenticate(issued.secret())).isPresent();

        keys.revoke(issued.key().keyId());

        assertThat(keys.authenticate(issued.secret())).isEmpty();
    }

    @Test
    void withNoTrustEveryRequestAsksTheTable() {
        ApiKeys keys = new ApiKeys(jdbc, Duration.ZERO, nanos::get);
        IssuedKey issued = keys.create("cache test", "default", Role.SUBMITTER);
        assertThat(keys.authenticate(issued.secret())).isPresent();

        revokeBehindItsBack(issued.key().keyId());

        assertThat(keys.authenticate(issued.secret())).isEmpty();
    }

    @Test
    void anUnknownKeyIsNotRememberedAsValidOnceItExists() {
        ApiKeys keys = new ApiKeys(jdbc, TRUST, nanos::get);
        String secret = ApiKeys.newSecret();
        assertThat(keys.authenticate(secret)).isEmpty();

        jdbc.update("INSERT INTO api_keys (key_id, name, tenant_id, role, key_hash) VALUES (:id, 'late', 'default',"
                + " 'reader', :hash)", new MapSqlParameterSource("id", "key_late" + System.nanoTime())
                .addValue("hash", ApiKeys.hash(secret)));

        assertThat(keys.authenticate(secret)).as("a refusal is not cached").isPresent();
    }

    private void revokeBehindItsBack(String keyId) {
        jdbc.update("UPDATE api_keys SET revoked_at = now() WHERE key_id = :keyId",
                new MapSqlParameterSource("keyId", keyId));
    }
}
