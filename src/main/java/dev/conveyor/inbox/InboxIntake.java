package dev.conveyor.inbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.UUID;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveyor.config.ConveyorProperties;
import dev.conveyor.intake.JobIntake;
import dev.conveyor.intake.JobRequest;
import dev.conveyor.intake.ProblemException;
import dev.conveyor.job.Submission;
import dev.conveyor.validation.RuleSetRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Turns a file the inbox route picked up into a csv_validation job, or moves it aside. Either way the file
 * leaves the watched folder at once: accepted files go to {@code .done/} beside them (where the job reads
 * them), refused ones to {@code .failed/} with a {@code <name>.reason.txt} of one line.
 */
@Component("inboxIntake")
public class InboxIntake {

    private static final Logger log = LoggerFactory.getLogger(InboxIntake.class);
    static final String DONE = ".done";
    static final String FAILED = ".failed";
    private static final Pattern TENANT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

    private final Path inbox;
    private final InboxFileCheck check;
    private final JobIntake intake;
    private final ObjectMapper json;
    private final String tenant;
    private final boolean loadToWarehouse;

    public InboxIntake(ConveyorProperties properties, RuleSetRepository rules, JobIntake intake,
                       ObjectMapper json) {
        this.inbox = properties.inbox().dir().toAbsolutePath().normalize();
        this.check = new InboxFileCheck(rules, properties.inbox().maxFileBytes());
        this.intake = intake;
        this.json = json;
        this.tenant = properties.inbox().tenant();
        if (tenant == null || !TENANT.matcher(tenant).matches()) {
            throw new IllegalStateException("conveyor.inbox.tenant (INBOX_TENANT) must be 1-64 letters, digits, "
                    + "'_', '.' or '-' (was '" + tenant + "')");
        }
        this.loadToWarehouse = properties.inbox().loadToWarehouse();
        String encoding = System.getProperty("sun.jnu.encoding", "");
        if (!encoding.equalsIgnoreCase("UTF-8")) {
            log.warn("file names are decoded as {}, not UTF-8: inbox files with non-ASCII names cannot be read. "
                    + "Start the service with a UTF-8 locale (e.g. LC_ALL=C.UTF-8).", encoding);
        }
    }

    /** @return the job id of the accepted file, or null when it was refused (and moved to .failed/) */
    public String accept(String absolutePath) throws IOException {
        Path file = Path.of(absolutePath).toAbsolutePath().normalize();
        if (!Files.isRegularFile(file) || !file.startsWith(inbox)) {
            // a name the JVM cannot encode (see the start-up warning) lists but cannot be opened
            log.warn("inbox: {} was listed but cannot be opened; it stays where it is", absolutePath);
            return null;
        }
        Path relative = inbox.relativize(file);
        try {
            InboxFileCheck.Listing listing = InboxFileCheck.listingOf(relative);
            check.check(file, listing);
            return submit(file, relative, listing);
        } catch (InboxFileCheck.Rejected e) {
            reject(file, relative, e.getMessage());
            return null;
        } catch (ProblemException e) {
            reject(file, relative, e.getMessage());
            return null;
        }
    }

    private String submit(Path file, Path relative, InboxFileCheck.Listing listing) throws IOException {
        BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
        Path done = uniqueTarget(file.resolveSibling(DONE), file.getFileName().toString());
        ObjectNode payload = json.createObjectNode()
                .put("marketplace", listing.marketplace())
                .put("category", listing.category());
        if (listing.region() != null) {
            payload.put("region", listing.region());
        }
        payload.put("file", done.toString());
        if (loadToWarehouse) {
            payload.put("load_to_warehouse", true);
        }
        // the same file (path, size, time) seen twice — say, after a crash before it moved — is one job
        String idempotencyKey = "inbox:" + relative + ":" + attributes.size() + ":"
                + attributes.lastModifiedTime().toMillis();
        // the job reads the file from .done/, so it moves there first; if the job cannot be written it
        // comes back, and a file is never in .done/ without its job or left behind with one
        move(file, done);
        Submission submission;
        try {
            submission = intake.submit(new JobRequest(tenant, "inbox", "csv_validation", payload, null, null, null,
                    null, idempotencyKey, attributes.size()));
        } catch (RuntimeException e) {
            move(done, file);
            throw e;
        }
        if (!submission.created()) {
            log.info("inbox: {} was already accepted as {}", relative, submission.job().jobId());
        } else {
            log.info("inbox: {} accepted as {} ({} bytes)", relative, submission.job().jobId(), attributes.size());
        }
        return submission.job().jobId();
    }

    private void reject(Path file, Path relative, String reason) throws IOException {
        Path failedDir = file.resolveSibling(FAILED);
        Path target = uniqueTarget(failedDir, file.getFileName().toString());
        move(file, target);
        String oneLine = reason.replaceAll("[\\r\\n]+", " ").trim();
        Path reasonFile = failedDir.resolve(reasonName(target.getFileName().toString()));
        Files.writeString(reasonFile, oneLine + "\n", StandardCharsets.UTF_8);
        log.warn("inbox: {} refused and moved to {}: {}", relative, inbox.relativize(target), oneLine);
    }

    /** {@code <name>.reason.txt}, shortened when the name is already near the file system's limit. */
    private static String reasonName(String name) {
        String reason = name + ".reason.txt";
        if (reason.getBytes(StandardCharsets.UTF_8).length <= 255) {
            return reason;
        }
        return name.substring(0, Math.min(name.length(), 100)) + "-" + Integer.toHexString(name.hashCode())
                + ".reason.txt";
    }

    private static Path uniqueTarget(Path dir, String name) throws IOException {
        Files.createDirectories(dir);
        Path target = dir.resolve(name);
        if (!Files.exists(target)) {
            return target;
        }
        String stem = name.contains(".") ? name.substring(0, name.lastIndexOf('.')) : name;
        String extension = name.contains(".") ? name.substring(name.lastIndexOf('.')) : "";
        String suffix = "-" + UUID.randomUUID().toString().substring(0, 8);
        if ((stem + suffix + extension).getBytes(StandardCharsets.UTF_8).length > 240) {
            stem = stem.substring(0, Math.min(stem.length(), 100));
        }
        return dir.resolve(stem + suffix + extension);
    }

    private static void move(Path from, Path to) {
        try {
            try {
                Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(from, to);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("could not move " + from + " to " + to, e);
        }
    }
}
