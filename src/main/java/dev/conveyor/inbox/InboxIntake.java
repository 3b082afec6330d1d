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
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveyor.config.ConveyorProperties;
import dev.conveyor.intake.BatchOpener;
import dev.conveyor.intake.JobRequest;
import dev.conveyor.intake.ProblemException;
import dev.conveyor.job.Batch;
import dev.conveyor.job.BatchStore;
import dev.conveyor.job.Submission;
import dev.conveyor.validation.RuleSetRepository;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Decides about the files the inbox route takes; the file component moves them (routes/inbox.camel.yaml,
 * docs/architecture.md, section 2). A settled file is moved to {@code .done/} beside it ({@code preMove}, named by
 * {@link #doneTarget}), where the job reads it; {@link #accept} submits its csv_validation job or throws an
 * {@link InboxRefusal}, and the route's handling has Camel move a refused file on to {@code .failed/}
 * ({@code moveFailed}) beside a {@code <name>.reason.txt} of one line ({@link #refused}). This bean only names
 * places and writes reasons: camel-file overwrites an existing target and cannot refuse a folder that is a link,
 * so the names are chosen here — never one that is taken, never through a link.
 *
 * <p>A file with the content of an earlier successful batch of its folder (conveyor.inbox.duplicates: skip) is
 * accepted without a job: it stays in {@code .done/} beside a {@code <name>.reason.txt} naming that batch
 * ({@link #skipDuplicate}).
 *
 * <p>The inbox takes regular files only, and never reaches outside itself: a symbolic link (to a file or a
 * folder) is never opened or followed, and nothing of its target is read or echoed; the link itself is moved
 * to {@code .failed/} ({@link #refuseLink}, the one move made here). Every place is checked against the inbox's
 * real path first: the folder it goes into, and every folder on the way to it, must be a real folder inside the
 * inbox. When that cannot be shown, nothing moves; the entry stays where it is and is logged once
 * ({@link #canTake}).
 */
@Component("inboxIntake")
public class InboxIntake {

    private static final Logger log = LoggerFactory.getLogger(InboxIntake.class);
    static final String DONE = ".done";
    static final String FAILED = ".failed";
    /** The exchange property with where a file was dropped, before the route's preMove took it to .done/. */
    static final String ORIGINAL_PATH = "inboxOriginalPath";
    static final String LINK_REASON = "symbolic links are not accepted; copy the file itself into the inbox";
    /** How the reason file of a skipped duplicate begins. */
    static final String DUPLICATE_REASON_START = "skipped: the same content";
    static final String HARD_LINK_REASON = "hard links are not accepted; copy the file itself into the inbox";
    private static final Pattern TENANT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;
    private static final int MAX_REMEMBERED = 10_000;

    private final Path inbox;
    private final InboxFileCheck check;
    private final BatchOpener batches;
    private final InboxCallbacks callbacks;
    private final ObjectMapper json;
    private final String tenant;
    private final boolean loadToWarehouse;
    private final ConveyorProperties.Inbox.Duplicates duplicates;
    private final BatchStore batchStore;
    /** What was already logged as "left in place", so a poll every second does not repeat it forever. */
    private final Set<String> reported = ConcurrentHashMap.newKeySet();

    public InboxIntake(ConveyorProperties properties, RuleSetRepository rules, BatchOpener batches,
                       InboxCallbacks callbacks, ObjectMapper json, BatchStore batchStore) {
        this.batchStore = batchStore;
        this.duplicates = properties.inbox().duplicates();
        this.callbacks = callbacks;
        this.inbox = properties.inbox().dir().toAbsolutePath().normalize();
        this.check = new InboxFileCheck(rules, properties.inbox().maxFileBytes());
        this.batches = batches;
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

    /**
     * The inbox route's {@code preMove}: where the file component moves a settled file before the route reads
     * it — {@code .done/} beside it, under its own name or, when that name is taken (a job may still be reading
     * the file there), {@code <stem>-<8 hex>.<ext>}. The job reads the file there, and intake checks it exists,
     * so it must be there before the job is submitted. The file's place in the watched folder is kept on the
     * exchange ({@link #ORIGINAL_PATH}): the idempotency key, a refusal and a putting back are about it.
     * A folder that is a link or leads outside the inbox is refused ({@link UnsafePath}: Camel then leaves the
     * file where it is); {@link InboxLinkFilter} keeps such files from being taken at all.
     */
    public String doneTarget(Exchange exchange) throws IOException {
        Path original = Path.of(exchange.getIn().getHeader(Exchange.FILE_PATH, String.class)).toAbsolutePath()
                .normalize();
        Place place = placeOf(original);
        // free for a reason file too: a skipped duplicate gets one beside it (#skipDuplicate)
        Path done = uniqueTarget(folderInside(place.root(), place.dir(), DONE), original.getFileName().toString(),
                true);
        exchange.setProperty(ORIGINAL_PATH, original.toString());
        return named(place.root(), done).toString();
    }

    /**
     * Decides about a file the route took: a csv_validation job of it, or an {@link InboxRefusal} saying why
     * not. The file is already in {@code .done/} ({@code current}, the route's {@code preMove}); Camel moves a
     * refused one on to {@code .failed/} ({@code moveFailed}). Nothing is moved here.
     *
     * @param original where the file was dropped (its place in the watched folder)
     * @param current  where it is now, in {@code .done/}
     * @return the job id, or null when the file was a duplicate skipped ({@link #skipDuplicate})
     */
    public String accept(String original, String current) throws IOException {
        return accept(original, current, duplicates);
    }

    /** {@link #accept(String, String)} with {@code mode} for a duplicate instead of conveyor.inbox.duplicates. */
    String accept(String original, String current, ConveyorProperties.Inbox.Duplicates mode) throws IOException {
        Path dropped = Path.of(original);
        Path relative = inbox.relativize(dropped);
        Place place = placeOf(Path.of(current).toAbsolutePath().normalize());
        Path file = place.dir().resolve(Path.of(current).getFileName().toString());
        BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class, NOFOLLOW);
        if (attributes.isSymbolicLink()) {
            // swapped for a link after the filter saw it: the link itself was moved, never followed
            throw new InboxRefusal(LINK_REASON);
        }
        if (!attributes.isRegularFile()) {
            throw new InboxRefusal("not a regular file: only files themselves are read from the inbox");
        }
        if (linkCount(file) > 1) {
            // another name for a file that may live anywhere on this file system: its content is not ours to read
            throw new InboxRefusal(HARD_LINK_REASON);
        }
        InboxFileCheck.Listing listing = InboxFileCheck.listingOf(relative);
        check.check(file, listing);
        ObjectNode payload = json.createObjectNode()
                .put("marketplace", listing.marketplace())
                .put("category", listing.category());
        if (listing.region() != null) {
            payload.put("region", listing.region());
        }
        // the same place, named through the configured inbox path (what DataFiles lets a job read)
        payload.put("file", named(place.root(), file).toString());
        if (loadToWarehouse) {
            payload.put("load_to_warehouse", true);
        }
        // the same file (where it was dropped, size, time) seen twice — say, put back after a failed submit, or
        // a submit whose answer was lost — is one job
        String sha256 = sha256(file);
        if (mode == ConveyorProperties.Inbox.Duplicates.SKIP) {
            Optional<Batch> earlier = batchStore.earlierSuccessfulInboxBatch(tenant, sha256,
                    relative.getParent().toString());
            if (earlier.isPresent()) {
                skipDuplicate(place, file, relative, earlier.get());
                return null;
            }
        }
        String idempotencyKey = "inbox:" + relative + ":" + attributes.size() + ":"
                + attributes.lastModifiedTime().toMillis();
        Submission submission;
        try {
            // the file is a batch of its own, named by where it was dropped and by its content
            submission = batches.submitAsBatch(new JobRequest(tenant, "inbox", "csv_validation", payload, null, null,
                    null, null, idempotencyKey, attributes.size()), BatchOpener.Source.INBOX, relative.toString(),
                    sha256, callbacks.of(relative, listing));
        } catch (ProblemException e) {
            throw new InboxRefusal(e.getMessage());
        }
        if (!submission.created()) {
            log.info("inbox: {} was already accepted as {}", relative, submission.job().jobId());
        } else {
            log.info("inbox: {} accepted as {} ({} bytes)", relative, submission.job().jobId(), attributes.size());
        }
        return submission.job().jobId();
    }

    /**
     * A file whose content an earlier successful batch of its folder had (conveyor.inbox.duplicates: skip): it stays
     * in {@code .done/}, where the route put it, with no job, beside a {@code <name>.reason.txt} naming that batch.
     * The reason file is also what keeps {@link InboxOrphans} from taking it for a file the service was stopped
     * before submitting, and putting it back.
     */
    private void skipDuplicate(Place place, Path file, Path relative, Batch earlier) throws IOException {
        String reason = duplicateReason(earlier);
        writeReason(place.root(), file.getParent(), file, reason);
        log.info("inbox: {} skipped: {}", relative, reason);
    }

    /** The one line a skipped duplicate's reason file holds; it starts with {@link #DUPLICATE_REASON_START}. */
    static String duplicateReason(Batch earlier) {
        return DUPLICATE_REASON_START + " (sha256 " + earlier.sha256() + ") as batch " + earlier.batchId() + " ("
                + earlier.sourceRef() + ", " + earlier.status() + ", completed " + earlier.completedAt()
                + "), so no job was made of it; GET /batches/" + earlier.batchId() + " shows that batch. To load "
                + "it again, drop it with conveyor.inbox.duplicates set to reprocess";
    }

    /** The file's SHA-256 in hex, read a buffer at a time (its batch records it: the same content, the same sum). */
    private static String sha256(Path file) throws IOException {
        java.security.MessageDigest digest;
        try {
            digest = java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (java.io.InputStream in = Files.newInputStream(file, NOFOLLOW)) {
            byte[] buffer = new byte[64 * 1024];
            int read;
            while ((read = in.read(buffer)) != -1) {
                digest.update(buffer, 0, read);
            }
        }
        return java.util.HexFormat.of().formatHex(digest.digest());
    }

    /**
     * The route's handling of an {@link InboxRefusal}: picks the file's name in {@code .failed/} beside where it
     * was dropped (its own, or {@code <stem>-<8 hex>.<ext>} when that or its reason file is taken), writes
     * {@code <that name>.reason.txt} there, and returns the path Camel's {@code moveFailed} moves the file to.
     * When {@code .failed/} is not a real folder inside the inbox, the file goes back where it was dropped
     * ({@link #backInPlace}), and {@link InboxLinkFilter} leaves it there.
     */
    public String refused(String original, Throwable refusal) throws IOException {
        Path dropped = Path.of(original);
        Path relative = inbox.relativize(dropped);
        String reason = oneLine(refusal.getMessage());
        Place place = placeOf(dropped);
        Path failedDir;
        Path target;
        try {
            failedDir = folderInside(place.root(), place.dir(), FAILED);
            target = uniqueTarget(failedDir, dropped.getFileName().toString(), true);
        } catch (UnsafePath e) {
            reportOnce(relative.toString(), "inbox: {} refused ({}) but left where it is: {}", relative, reason,
                    e.getMessage());
            return backInPlace(original);
        }
        writeReason(place.root(), failedDir, target, reason);
        log.warn("inbox: {} refused and moved to {}: {}", relative, place.root().relativize(target), reason);
        return named(place.root(), target).toString();
    }

    /**
     * The route's handling of any other failure (the jobs table out of reach, say): where Camel's
     * {@code moveFailed} puts the file back — where it was dropped, so the next poll tries it again (the same
     * idempotency key: no second job if the first was written after all). Only when a new file took that name
     * meanwhile does it get {@code <stem>-<8 hex>.<ext>} beside it; nothing is ever replaced.
     */
    public String backInPlace(String original) throws IOException {
        Path dropped = Path.of(original);
        Place place = placeOf(dropped);
        return named(place.root(), uniqueTarget(place.dir(), dropped.getFileName().toString(), false)).toString();
    }

    /**
     * Whether the inbox route may take this regular file (the route's filter asks): it lies in a real folder
     * inside the inbox, is a regular file, and its {@code .done/} and {@code .failed/} are real folders inside
     * the inbox, or not there yet. Anything else stays where it is and is logged once.
     */
    public boolean canTake(Path path) {
        Path file = path.toAbsolutePath().normalize();
        Path relative = file.startsWith(inbox) ? inbox.relativize(file) : file;
        try {
            Place place = placeOf(file);
            Path real = place.dir().resolve(file.getFileName().toString());
            if (!Files.isRegularFile(real, NOFOLLOW)) {
                if (Files.exists(real, NOFOLLOW)) {
                    reportOnce(relative.toString(), "inbox: {} is not a regular file; it is not read and stays "
                            + "where it is", relative);
                } else {
                    // a name the JVM cannot encode (see the start-up warning) lists but cannot be opened
                    reportOnce(relative.toString(), "inbox: {} was listed but cannot be opened; it stays where "
                            + "it is", file);
                }
                return false;
            }
            for (String folder : List.of(DONE, FAILED)) {
                Path aside = place.dir().resolve(folder);
                if (Files.exists(aside, NOFOLLOW) && (!Files.isDirectory(aside, NOFOLLOW)
                        || !aside.toRealPath().startsWith(place.root()))) {
                    throw new UnsafePath(folder + "/ is not a folder inside the inbox (is it a link?)");
                }
            }
            return true;
        } catch (UnsafePath | IOException e) {
            reportOnce(relative.toString(), "inbox: {} left where it is: {}", relative, e.getMessage());
            return false;
        }
    }

    /**
     * Moves a symbolic link found in the inbox (the link itself, never its target) to {@code .failed/} with the
     * reason. The one move left to Java: the route's file filter calls this for links, and an entry the filter
     * refuses is one Camel never takes — it cannot {@code moveFailed} it. Letting links through to the route
     * instead would have Camel follow them (it descends into a linked folder, and its read lock looks at a
     * linked file's target), which the inbox must never do.
     */
    public void refuseLink(Path link) {
        Path file = link.toAbsolutePath().normalize();
        if (!file.startsWith(inbox) || file.equals(inbox)) {
            reportOnce(file.toString(), "inbox: link {} is not inside the inbox; it stays where it is", file);
            return;
        }
        Path relative = inbox.relativize(file);
        try {
            Place place = placeOf(file);
            Path real = place.dir().resolve(file.getFileName().toString());
            if (!Files.isSymbolicLink(real)) {
                return;
            }
            Path failedDir = folderInside(place.root(), place.dir(), FAILED);
            Path target = uniqueTarget(failedDir, real.getFileName().toString(), true);
            move(place.root(), real, target);
            writeReason(place.root(), failedDir, target, LINK_REASON);
            log.warn("inbox: {} refused and moved to {}: {}", relative, place.root().relativize(target),
                    LINK_REASON);
        } catch (IOException | RuntimeException e) {
            reportOnce(relative.toString(), "inbox: link {} could not be moved to .failed/ ({}); it is not followed "
                    + "and stays where it is", relative, e instanceof UnsafePath ? e.getMessage()
                    : e.getClass().getSimpleName());
        }
    }

    /** Writes {@code <target's name>.reason.txt} in {@code failedDir} (or .done/): the one-line reason. */
    private static void writeReason(Path root, Path failedDir, Path target, String reason) throws IOException {
        Path reasonFile = failedDir.resolve(reasonName(target.getFileName().toString()));
        try {
            // a new file only, never through a link: a name planted in .failed/ cannot redirect the write
            Files.writeString(reasonFile, oneLine(reason) + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, NOFOLLOW);
        } catch (FileAlreadyExistsException e) {
            log.warn("inbox: {} already exists; the reason was not written there", root.relativize(reasonFile));
        }
    }

    /** A file's folder in the inbox, checked: {@code dir} is a real folder inside {@code root}, the inbox's real path. */
    private record Place(Path root, Path dir) {
    }

    /** Where {@code file} (an absolute, normalized path) lies; refused unless inside the inbox, in real folders. */
    private Place placeOf(Path file) throws IOException {
        if (!file.startsWith(inbox) || file.equals(inbox)) {
            throw new UnsafePath(file + " is not inside the inbox");
        }
        Path root = inbox.toRealPath();
        Path dir = safeFolder(root, inbox.relativize(file).getParent());
        if (dir == null) {
            throw new UnsafePath("it lies under a folder that is a link or leads outside the inbox");
        }
        return new Place(root, dir);
    }

    /** A path under the inbox's real path, named through the configured inbox path (as the route and jobs see it). */
    private Path named(Path root, Path real) {
        return inbox.resolve(root.relativize(real).toString());
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
    static String reasonName(String name) {
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
        return dir.resolve(suffixed(name));
    }

    /** {@code <stem>-<8 hex>.<ext>}: the name a file gets where its own is taken. */
    static String suffixed(String name) {
        String stem = name.contains(".") ? name.substring(0, name.lastIndexOf('.')) : name;
        String extension = name.contains(".") ? name.substring(name.lastIndexOf('.')) : "";
        String suffix = "-" + UUID.randomUUID().toString().substring(0, 8);
        if ((stem + suffix + extension).getBytes(StandardCharsets.UTF_8).length > 240) {
            stem = stem.substring(0, Math.min(stem.length(), 100));
        }
        return stem + suffix + extension;
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
