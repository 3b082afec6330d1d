package dev.conveyor.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import dev.conveyor.config.ConveyorProperties;
import dev.conveyor.config.SecurityProperties;
import dev.conveyor.support.Api;
import dev.conveyor.support.ConveyorIntegrationTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The first start as the README's command makes it: no CONVEYOR_ADMIN_KEY and no key yet, so the service writes
 * an admin key to data/admin.key, readable by its user only, and logs where, never what. Then the key an operator
 * sets replaces it at once, and a key too short to be safe stops the start.
 */
@Tag("slow") // a Spring context of its own (no admin key configured)
@ConveyorIntegrationTest
@ExtendWith(OutputCaptureExtension.class)
@TestPropertySource(properties = "conveyor.security.admin-key=")
class AdminKeyBootstrapTest {

    @LocalServerPort
    int port;

    @Autowired
    ConveyorProperties properties;

    @Autowired
    ApiKeys keys;

    @Test
    void aFreshServiceWritesItsAdminKeyToAFileOnlyItsUserMayRead(CapturedOutput output) throws IOException {
        Path file = properties.dataDir().resolve("admin.key");

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        String key = Files.readString(file, StandardCharsets.UTF_8).trim();
        assertThat(key).startsWith(ApiKeys.PREFIX).hasSizeGreaterThanOrEqualTo(AdminKeyBootstrap.MIN_LENGTH);
        assertThat(new Api(port, key).get("/admin/api-keys").statusCode()).isEqualTo(200);
        assertThat(new Api(port, null).get("/admin/api-keys").statusCode()).isEqualTo(401);
        assertThat(output.getAll()).contains(file.toAbsolutePath().normalize().toString()).doesNotContain(key);
    }

    @Test
    void aKeyTheOperatorSetsReplacesTheGeneratedOneAndAShortOneStopsTheStart() throws IOException {
        String generated = Files.readString(properties.dataDir().resolve("admin.key")).trim();
        String chosen = "an-operators-own-admin-key-of-forty-characters";
        SecurityProperties configured = new SecurityProperties(chosen, "default", false, List.of(), List.of(), 5);
        try {
            new AdminKeyBootstrap(keys, configured, properties).afterPropertiesSet();

            assertThat(keys.authenticate(chosen)).hasValueSatisfying(caller -> {
                assertThat(caller.role()).isEqualTo(Role.ADMIN);
                assertThat(caller.keyId()).isEqualTo(ApiKeys.BOOTSTRAP_KEY_ID);
            });
            assertThat(keys.authenticate(generated)).as("the old admin key stops working at once").isEmpty();
        } finally {
            // the other test of this class reads the generated key from the file: put it back
            keys.putBootstrapAdmin(generated, "default");
        }

        SecurityProperties tooShort = new SecurityProperties("short", "default", false, List.of(), List.of(), 5);
        assertThatThrownBy(() -> new AdminKeyBootstrap(keys, tooShort, properties).afterPropertiesSet())
                .hasMessageContaining("at least 32 characters");
    }
}
