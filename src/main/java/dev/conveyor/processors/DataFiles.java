package dev.conveyor.processors;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;

import dev.conveyor.config.ConveyorProperties;
import dev.conveyor.worker.PermanentJobException;
import org.springframework.stereotype.Component;

/**
 * The tenants' files and the files a job payload may name. Each tenant has a root of its own,
 * {@code <data-dir>/tenants/<tenant_id>/} with {@code uploads/} and {@code imports/} under it, and a payload's
 * {@code file} is resolved against the root of the job's tenant only: a job can never name another tenant's file,
 * and since the lookup happens in its own root, another tenant's file reads as "does not exist", not "forbidden".
 * Anything that would escape the root ({@code ..}, another absolute path, a symlink out) is refused. Absolute paths
 * inside the inbox are accepted for the inbox's tenant only ({@code conveyor.inbox.tenant}): the inbox names its
 * files that way.
 */
@Component
public class DataFiles {

    /** The tenant ids intake accepts; checked again here because a tenant id becomes a directory name. */
    private static final Pattern TENANT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

    private final Path tenantsDir;
    private final Path inbox;
    private final String inboxTenant;

    public DataFiles(ConveyorProperties properties) {
        this.tenantsDir = properties.dataDir().toAbsolutePath().normalize().resolve("tenants");
        this.inbox = properties.inbox().dir().toAbsolutePath().normalize();
        this.inboxTenant = properties.inbox().tenant();
    }

    /** {@code <data-dir>/tenants/<tenant>}; refuses a tenant id that is not a plain name. */
    public Path tenantRoot(String tenant) {
        if (tenant == null || !TENANT.matcher(tenant).matches()) {
            throw new IllegalArgumentException("not a tenant id: " + tenant);
        }
        return tenantsDir.resolve(tenant);
    }

    public Path uploadsDir(String tenant) {
        return tenantRoot(tenant).resolve("uploads");
    }

    public Path importsDir(String tenant) {
        return tenantRoot(tenant).resolve("imports");
    }

    /** How a payload names a file of the tenant: its path relative to the tenant's root. */
    public String nameOf(String tenant, Path file) {
        return tenantRoot(tenant).relativize(file.toAbsolutePath().normalize()).toString();
    }

    /** Why the path cannot be used, or empty when it names a readable file of the tenant. */
    public Optional<String> check(String tenant, String relative) {
        try {
            resolve(tenant, relative);
            return Optional.empty();
        } catch (PermanentJobException e) {
            return Optional.of(e.getMessage());
        }
    }

    public Path resolve(String tenant, String relative) {
        Path root = tenantRoot(tenant);
        Path path;
        try {
            path = root.resolve(relative).normalize();
        } catch (InvalidPathException e) {
            throw new PermanentJobException("payload 'file' is not a valid path: " + relative);
        }
        Path inside;
        if (path.startsWith(root)) {
            inside = root;
        } else if (tenant.equals(inboxTenant) && path.startsWith(inbox)) {
            inside = inbox;
        } else {
            throw new PermanentJobException("payload 'file' must be a path inside the data directory of the job's "
                    + "tenant, relative to it (was '" + relative + "')");
        }
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            throw new PermanentJobException("payload 'file' " + relative + " does not exist in the data directory "
                    + "of the job's tenant");
        }
        try {
            if (!path.toRealPath().startsWith(inside.toRealPath())) {
                throw new PermanentJobException("payload 'file' " + relative + " leads outside the data directory");
            }
        } catch (java.io.IOException e) {
            throw new PermanentJobException("payload 'file' " + relative + " cannot be read: " + e.getMessage());
        }
        return path;
    }
}
