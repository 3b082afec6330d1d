package dev.conveyor.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

import dev.conveyor.config.ConveyorProperties;
import dev.conveyor.config.SecurityProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.stereotype.Component;

/**
 * The first key, so a fresh start is both locked and usable: CONVEYOR_ADMIN_KEY when it is set; otherwise, on a
 * service that never had a key, a generated admin key written to {@code <data-dir>/admin.key} (mode 0600). The
 * log names the file, never the key. Runs as the database is ready, before the HTTP port takes requests.
 */
@Component
public class AdminKeyBootstrap implements InitializingBean {

    private static final Logger log = LoggerFactory.getLogger(AdminKeyBootstrap.class);
    static final int MIN_LENGTH = 32;

    private final ApiKeys keys;
    private final SecurityProperties security;
    private final Path keyFile;

    public AdminKeyBootstrap(ApiKeys keys, SecurityProperties security, ConveyorProperties properties) {
        this.keys = keys;
        this.security = security;
        this.keyFile = properties.dataDir().resolve("admin.key").toAbsolutePath().normalize();
    }

    @Override
    public void afterPropertiesSet() throws IOException {
        String configured = security.adminKey() == null ? "" : security.adminKey().trim();
        if (!configured.isEmpty()) {
            if (configured.length() < MIN_LENGTH) {
                throw new IllegalStateException("CONVEYOR_ADMIN_KEY (conveyor.security.admin-key) must be at "
                        + "least " + MIN_LENGTH + " characters; make one with: openssl rand -base64 32");
            }
            keys.putBootstrapAdmin(configured, security.adminTenant());
            log.info("The admin key is the one CONVEYOR_ADMIN_KEY sets (key_id {})", ApiKeys.BOOTSTRAP_KEY_ID);
            return;
        }
        if (keys.anyExists()) {
            return;
        }
        // a database made afresh beside a key file kept from before: the file's key stays the admin key
        String secret = Files.isRegularFile(keyFile) ? Files.readString(keyFile, StandardCharsets.UTF_8).trim() : "";
        if (secret.length() < MIN_LENGTH) {
            secret = ApiKeys.newSecret();
            write(keyFile, secret);
        }
        keys.putBootstrapAdmin(secret, security.adminTenant());
        log.warn("No API key existed: the admin key is in {} (readable by this user only). Send it as "
                + "'Authorization: Bearer <key>'; make narrower keys with POST /admin/api-keys (docs/security.md)",
                keyFile);
    }

    private static void write(Path file, String secret) throws IOException {
        Files.createDirectories(file.getParent());
        Files.deleteIfExists(file);
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException notPosix) {
            Files.createFile(file);
        } catch (FileAlreadyExistsException e) {
            throw new UncheckedIOException("another process wrote " + file + " at the same time", e);
        }
        Files.writeString(file, secret + "\n", StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
    }
}
