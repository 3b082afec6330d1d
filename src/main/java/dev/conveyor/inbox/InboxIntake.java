package dev.conveyor.inbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
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
 *
 * <p>The inbox takes regular files only, and never reaches outside itself: a symbolic link (to a file or a
 * folder) is never opened or followed, and nothing of its target is read or echoed; the link itself is moved
 * to {@code .failed/}. Every move and every reason file is checked against the inbox's real path first: the
 * folder it goes into, and every folder on the way to it, must be a real folder inside the inbox. When that
 * cannot be shown, nothing moves; the entry stays where it is and is logged once.
 */
@Component("inboxIntake")
public class InboxIntake {

    private static final Logger log = LoggerFactory.getLogger(InboxIntake.class);
    static final String DONE = ".done";
    static final String FAILED = ".failed";
    static final String LINK_REASON = "symbolic links are not accepted; copy the file itself into the inbox";
    static final String HARD_LINK_REASON = "hard links are not accepted; copy the file itself into the inbox";
    private static final Pattern TENANT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;
    private static final int MAX_REMEMBERED = 10_000;

    private final Path inbox;
    private final InboxFileCheck check;
    private final JobIntake intake;
    private final ObjectMapper json;
    private final String tenant;
    private final boolean loadToWarehouse;
    /** What was already logged as "left in place", so a poll every second does not repeat it forever. */
    private final Set<String> reported = ConcurrentHashMap.newKeySet();

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
        if (!file.startsWith(inbox) || file.equals(inbox)) {
            reportOnce(absolutePath, "inbox: {} is not inside the inbox; it is not read and stays where it is",
                    absolutePath);
            return null;
        }
        Path relative = inbox.relativize(file);
        Path root = inbox.toRealPath();
        Path dir = safeFolder(root, relative.getParent());
        if (dir == null) {
            reportOnce(relative.toString(), "inbox: {} lies under a folder that is a link or leads outside the "
                    + "inbox; it is not read and stays where it is", relative);
            return null;
        }
        Path real = dir.resolve(file.getFileName().toString());
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(real, BasicFileAttributes.class, NOFOLLOW);
        } catch (NoSuchFileException e) {
            // a name the JVM cannot encode (see the start-up warning) lists but cannot be opened
            reportOnce(relative.toString(), "inbox: {} was listed but cannot be opened; it stays where it is",
                    absolutePath);
            return null;
        }
        if (attributes.isSymbolicLink()) {
            refuse(root, dir, real, relative, LINK_REASON);
            return null;
        }
        if (!attributes.isRegularFile()) {
            reportOnce(relative.toString(), "inbox: {} is not a regular file; it is not read and stays where it is",
                    relative);
            return null;
        }
        if (linkCount(real) > 1) {
            // another name for a file that may live anywhere on this file system: its content is not ours to read
            refuse(root, dir, real, relative, HARD_LINK_REASON);
            return null;
        }
        try {
            InboxFileCheck.Listing listing = InboxFileCheck.listingOf(relative);
            check.check(real, listing);
            return submit(root, dir, real, relative, listing, attributes);
        } catch (InboxFileCheck.Rejected e) {
            refuse(root, dir, real, relative, e.getMessage());
            return null;
        } catch (ProblemException e) {
            refuse(root, dir, real, relative, e.getMessage());
            return null;
        } catch (UnsafePath e) {
            reportOnce(relative.toString(), "inbox: {} left where it is: {}", relative, e.getMessage());
            return null;
        }
    }

    /**
     * Moves a symbolic link found in the inbox (the link itself, never its target) to {@code .failed/} with
     * the reason; the inbox route's file filter calls this for links before Camel would follow them.
     */
    public void refuseLink(Path link) {
        Path file = link.toAbsolutePath().normalize();
        if (!file.startsWith(inbox) || file.equals(inbox)) {
            reportOnce(file.toString(), "inbox: link {} is not inside the inbox; it stays where it is", file);
            return;
        }
        Path relative = inbox.relativize(file);
        try {
            Path root = inbox.toRealPath();
            Path dir = safeFolder(root, relative.getParent());
            if (dir == null) {
                reportOnce(relative.toString(), "inbox: link {} lies under a folder that is a link or leads outside "
                        + "the inbox; it is not followed and stays where it is", relative);
                return;
            }
            Path real = dir.resolve(file.getFileName().toString());
            if (Files.isSymbolicLink(real)) {
                refuse(root, dir, real, relative, LINK_REASON);
            }
        } catch (IOException | RuntimeException e) {
            reportOnce(relative.toString(), "inbox: link {} could not be moved to .failed/ ({}); it is not followed "
                    + "and stays where it is", relative, e.getClass().getSimpleName());
        }
    }

    private String submit(Path root, Path dir, Path file, Path relative, InboxFileCheck.Listing listing,
                          BasicFileAttributes attributes) throws IOException {
        Path done = uniqueTarget(folderInside(root, dir, DONE), file.getFileName().toString(), false);
        ObjectNode payload = json.createObjectNode()
                .put("marketplace", listing.marketplace())
                .put("category", listing.category());
        if (listing.region() != null) {
            payload.put("region", listing.region());
        }
        // the same place, named through the configured inbox path (what DataFiles lets a job read)
        payload.put("file", inbox.resolve(root.relativize(done).toString()).toString());
        if (loadToWarehouse) {
            payload.put("load_to_warehouse", true);
        }
        // the same file (path, size, time) seen twice — say, after a crash before it moved — is one job
        String idempotencyKey = "inbox:" + relative + ":" + attributes.size() + ":"
                + attributes.lastModifiedTime().toMillis();
        // the job reads the file from .done/, so it moves there first; if the job cannot be written it
        // comes back, and a file is never in .done/ without its job or left behind with one
        move(root, file, done);
        Submission submission;
        try {
            submission = intake.submit(new JobRequest(tenant, "inbox", "csv_validation", payload, null, null, null,
                    null, idempotencyKey, attributes.size()));
        } catch (RuntimeException e) {
            move(root, done, file);
            throw e;
        }
        if (!submission.created()) {
            log.info("inbox: {} was already accepted as {}", relative, submission.job().jobId());
        } else {
            log.info("inbox: {} accepted as {} ({} bytes)", relative, submission.job().jobId(), attributes.size());
        }
        return submission.job().jobId();
    }

    /** Moves {@code file} (a link: the link itself) to {@code .failed/} and writes the one-line reason. */
    private void refuse(Path root, Path dir, Path file, Path relative, String reason) throws IOException {
        Path failedDir;
        Path target;
        try {
            failedDir = folderInside(root, dir, FAILED);
            target = uniqueTarget(failedDir, file.getFileName().toString(), true);
            move(root, file, target);
        } catch (UnsafePath e) {
            reportOnce(relative.toString(), "inbox: {} refused ({}) but left where it is: {}", relative,
                    oneLine(reason), e.getMessage());
            return;
        }
        String oneLine = oneLine(reason);
        Path reasonFile = failedDir.resolve(reasonName(target.getFileName().toString()));
        try {
            // a new file only, never through a link: a name planted in .failed/ cannot redirect the write
            Files.writeString(reasonFile, oneLine + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE, NOFOLLOW);
        } catch (FileAlreadyExistsException e) {
            log.warn("inbox: {} already exists; the reason was not written there", root.relativize(reasonFile));
        }
        log.warn("inbox: {} refused and moved to {}: {}", relative, root.relativize(target), oneLine);
    }

    private static String oneLine(String reason) {
        return reason.replaceAll("[\\r\\n]+", " ").trim();
    }

    /**
     * The real path of the folder at {@code relativeFolder} in the inbox, or null when that folder or one on
     * the way to it is a link, not a folder, or not inside the inbox's real path.
     */
    private static Path safeFolder(Path root, Path relativeFolder) throws IOException {
        Path dir = root;
        if (relativeFolder != null) {
            for (Path part : relativeFolder) {
                dir = dir.resolve(part.toString());
                if (!Files.isDirectory(dir, NOFOLLOW)) {
                    return null;
                }
            }
        }
        try {
            return dir.toRealPath().startsWith(root) ? dir : null;
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** {@code <dir>/<name>}, created when missing; refused unless it is a real folder inside the inbox. */
    private static Path folderInside(Path root, Path dir, String name) throws IOException {
        Path folder = dir.resolve(name);
        try {
            Files.createDirectory(folder);
        } catch (FileAlreadyExistsException e) {
            // there already, as a folder, or as something to refuse below
        }
        if (!Files.isDirectory(folder, NOFOLLOW) || !folder.toRealPath().startsWith(root)) {
            throw new UnsafePath(name + "/ is not a folder inside the inbox (is it a link?)");
        }
        return folder;
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

    /** A name free in {@code dir} (and, for .failed/, free for its reason file too); nothing is replaced. */
    private static Path uniqueTarget(Path dir, String name, boolean withReason) {
        if (free(dir, name, withReason)) {
            return dir.resolve(name);
        }
        String stem = name.contains(".") ? name.substring(0, name.lastIndexOf('.')) : name;
        String extension = name.contains(".") ? name.substring(name.lastIndexOf('.')) : "";
        String suffix = "-" + UUID.randomUUID().toString().substring(0, 8);
        if ((stem + suffix + extension).getBytes(StandardCharsets.UTF_8).length > 240) {
            stem = stem.substring(0, Math.min(stem.length(), 100));
        }
        return dir.resolve(stem + suffix + extension);
    }

    private static boolean free(Path dir, String name, boolean withReason) {
        return !Files.exists(dir.resolve(name), NOFOLLOW)
                && (!withReason || !Files.exists(dir.resolve(reasonName(name)), NOFOLLOW));
    }

    /** The number of names the file has; 1 where the file system cannot tell. */
    private static int linkCount(Path file) {
        try {
            Object count = Files.getAttribute(file, "unix:nlink", NOFOLLOW);
            return count instanceof Integer n ? n : 1;
        } catch (UnsupportedOperationException | IllegalArgumentException | IOException e) {
            return 1;
        }
    }

    /** Renames {@code from} (a link: the link itself) to {@code to}, once {@code to}'s folder is inside the inbox. */
    private static void move(Path root, Path from, Path to) {
        try {
            Path folder = to.getParent();
            if (!Files.isDirectory(folder, NOFOLLOW) || !folder.toRealPath().startsWith(root)
                    || !from.getParent().toRealPath().startsWith(root)) {
                throw new UnsafePath("refusing to move " + root.relativize(from) + " outside the inbox");
            }
            try {
                Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, NOFOLLOW);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(from, to, NOFOLLOW);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("could not move " + from + " to " + to, e);
        }
    }

    private void reportOnce(String key, String message, Object... arguments) {
        if (reported.size() > MAX_REMEMBERED) {
            reported.clear();
        }
        if (reported.add(key)) {
            log.warn(message, arguments);
        }
    }

    /** A move or write that could leave the inbox, or go through a link: refused, nothing is touched. */
    static final class UnsafePath extends RuntimeException {
        UnsafePath(String message) {
            super(message);
        }
    }
}
