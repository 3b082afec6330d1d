package dev.conveyor.inbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import dev.conveyor.config.ConveyorProperties;
import dev.conveyor.job.JobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Puts back the files the inbox took but never made a job of. The inbox route moves a settled file into
 * {@code .done/} before it submits the file's job (routes/inbox.camel.yaml: the job reads it there); a service killed
 * between the two leaves the file in {@code .done/} with no job, where nothing would ever read it. The
 * {@code inbox-orphans} route calls {@link #putBack} now and then: a file that has been in {@code .done/} for
 * {@code conveyor.inbox.orphan-after-ms} and that no job of the inbox's tenant was made of goes back where it was
 * dropped, unchanged (same size, same modification time), so the inbox takes it again under the same idempotency
 * key — one job, never two, even if the job was written after all.
 *
 * <p>Whether a job was made of a file is asked twice over, both cheap: by the idempotency keys the file's drop can
 * have had (its own name, or the name before {@code .done/} gave it a {@code -<8 hex>} suffix), and, for a file no
 * key matches, by the file the jobs created since it arrived name in their payload. Files already seen to have a job
 * are remembered and not asked about again. Links are never followed or moved. A file the inbox skipped as a
 * duplicate lies in {@code .done/} with no job on purpose, beside its {@code <name>.reason.txt}: it, and the reason
 * file, are never put back.
 */
@Component("inboxOrphans")
public class InboxOrphans {

    private static final Logger log = LoggerFactory.getLogger(InboxOrphans.class);
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;
    /** The name {@code .done/} gives a file whose own name is taken there: {@code <stem>-<8 hex>[.<ext>]}. */
    private static final Pattern SUFFIXED = Pattern.compile("(.+)-[0-9a-f]{8}(\\.[^.]*)?");
    /** inbox/<marketplace>/<category>[/<region>]/.done/<file>. */
    private static final int DEPTH = 5;
    /** A job is written after its file reached .done/; this much earlier allows for clocks a little apart. */
    private static final Duration CLOCK_MARGIN = Duration.ofHours(1);
    private static final int MAX_REMEMBERED = 100_000;

    private final Path inbox;
    private final String tenant;
    private final Duration orphanAfter;
    private final JobStore jobs;
    private final Clock clock;
    /** .done/ files (path and change time) known to have their job. */
    private final Set<String> accounted = ConcurrentHashMap.newKeySet();

    public InboxOrphans(ConveyorProperties properties, JobStore jobs, Clock clock) {
        this.inbox = properties.inbox().dir().toAbsolutePath().normalize();
        this.tenant = properties.inbox().tenant();
        this.orphanAfter = Duration.ofMillis(properties.inbox().orphanAfterMs());
        this.jobs = jobs;
        this.clock = clock;
    }

    /**
     * A file in a {@code .done/} folder, with what identifies its drop: {@code relative} is its place in the inbox,
     * {@code named} the same place through the configured inbox path (as a job's payload names it).
     */
    private record DoneFile(Path path, Path relative, String named, Instant changed, long size, long modifiedMillis) {

        String memo() {
            return named + "@" + changed.toEpochMilli();
        }
    }

    /**
     * Puts every orphaned file back where it was dropped.
     *
     * @return the files put back, as paths inside the inbox
     */
    public List<String> putBack() throws IOException {
        if (!Files.isDirectory(inbox, NOFOLLOW)) {
            return List.of();
        }
        Instant settledBefore = clock.instant().minus(orphanAfter);
        List<DoneFile> candidates = settledDoneFiles(settledBefore);
        if (candidates.isEmpty()) {
            return List.of();
        }
        List<String> putBack = new ArrayList<>();
        for (DoneFile file : withoutJob(candidates)) {
            Path back = putBack(file);
            if (back != null) {
                putBack.add(back.toString());
            }
        }
        if (accounted.size() > MAX_REMEMBERED) {
            // asked again next time: cheap, and bounds the memory of an inbox that is never cleaned
            accounted.clear();
        }
        return putBack;
    }

    /** The regular files in .done/ folders that arrived there before {@code settledBefore} and are not accounted for. */
    private List<DoneFile> settledDoneFiles(Instant settledBefore) throws IOException {
        Path root = inbox.toRealPath();
        List<DoneFile> found = new ArrayList<>();
        // Files.walk follows no links: a linked folder is listed, never entered
        try (Stream<Path> walk = Files.walk(root, DEPTH)) {
            walk.filter(path -> path.getParent() != null
                            && InboxIntake.DONE.equals(String.valueOf(path.getParent().getFileName()))
                            && Files.isRegularFile(path, NOFOLLOW) && !skippedOrReason(path))
                    .forEach(path -> doneFile(root, path, settledBefore).ifPresent(found::add));
        } catch (UncheckedIOException e) {
            // a folder removed while walking: the next run sees the inbox as it is then
            log.debug("inbox: orphan check stopped early: {}", e.getMessage());
        }
        return found;
    }

    /**
     * A skipped duplicate's reason file, or the skipped file beside it (InboxIntake#skipDuplicate): the inbox left it
     * in .done/ on purpose, with no job, and it must not be put back.
     */
    private static boolean skippedOrReason(Path path) {
        String name = path.getFileName().toString();
        return name.endsWith(".reason.txt")
                || Files.exists(path.resolveSibling(InboxIntake.reasonName(name)), NOFOLLOW);
    }

    private Optional<DoneFile> doneFile(Path root, Path path, Instant settledBefore) {
        try {
            Map<String, Object> unix = Files.readAttributes(path, "unix:ctime,size,lastModifiedTime,nlink", NOFOLLOW);
            Instant changed = ((FileTime) unix.get("ctime")).toInstant();
            if (changed.isAfter(settledBefore) || ((Number) unix.get("nlink")).intValue() > 1) {
                // too recent: the route may be submitting it now; a hard link: not the inbox's to move
                return Optional.empty();
            }
            Path relative = root.relativize(path);
            DoneFile file = new DoneFile(path, relative, inbox.resolve(relative.toString()).toString(), changed,
                    ((Number) unix.get("size")).longValue(), ((FileTime) unix.get("lastModifiedTime")).toMillis());
            return accounted.contains(file.memo()) ? Optional.empty() : Optional.of(file);
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.empty();
        }
    }

    /** The candidates no job of the tenant was made of; the others are remembered as accounted for. */
    private List<DoneFile> withoutJob(List<DoneFile> candidates) {
        Map<String, DoneFile> byKey = new LinkedHashMap<>();
        for (DoneFile file : candidates) {
            for (String key : possibleKeys(file)) {
                byKey.put(key, file);
            }
        }
        Set<DoneFile> withJob = new LinkedHashSet<>();
        jobs.findByIdempotencyKeys(tenant, byKey.keySet()).keySet().forEach(key -> withJob.add(byKey.get(key)));
        List<DoneFile> unmatched = candidates.stream().filter(file -> !withJob.contains(file)).toList();
        if (!unmatched.isEmpty()) {
            Instant since = unmatched.stream().map(DoneFile::changed).min(Instant::compareTo).orElseThrow()
                    .minus(CLOCK_MARGIN);
            Set<String> named = jobs.filesNamedSince(tenant, unmatched.stream().map(DoneFile::named).toList(), since);
            unmatched.stream().filter(file -> named.contains(file.named())).forEach(withJob::add);
        }
        withJob.forEach(file -> accounted.add(file.memo()));
        return candidates.stream().filter(file -> !withJob.contains(file)).toList();
    }

    /** The idempotency keys the inbox gave the file's drop (InboxIntake#accept) under each name it may have had. */
    private static List<String> possibleKeys(DoneFile file) {
        // <folder>/.done/<name> was dropped as <folder>/<original name>
        Path folder = file.relative().getParent().getParent();
        List<String> keys = new ArrayList<>();
        for (String name : originalNames(file.path().getFileName().toString())) {
            Path dropped = folder == null ? Path.of(name) : folder.resolve(name);
            keys.add("inbox:" + dropped + ":" + file.size() + ":" + file.modifiedMillis());
        }
        return keys;
    }

    /** The name itself, and the name before {@code .done/} suffixed it, when it looks suffixed. */
    static List<String> originalNames(String name) {
        Matcher suffixed = SUFFIXED.matcher(name);
        if (!suffixed.matches()) {
            return List.of(name);
        }
        return List.of(name, suffixed.group(1) + (suffixed.group(2) == null ? "" : suffixed.group(2)));
    }

    /** Moves the file back beside its .done/ folder under the name it was dropped with, if free; null when it could not. */
    private Path putBack(DoneFile file) {
        Path folder = file.path().getParent().getParent();
        List<String> names = originalNames(file.path().getFileName().toString());
        String original = names.get(names.size() - 1);
        Path target = folder.resolve(original);
        if (Files.exists(target, NOFOLLOW)) {
            // a new file of that name was dropped meanwhile and is never replaced: this one comes back beside it
            // under a name of its own (a new idempotency key is right: no job was made of it)
            target = folder.resolve(InboxIntake.suffixed(original));
        }
        try {
            // a rename (same file system), which keeps the modification time: the inbox computes the same
            // idempotency key again. Without REPLACE_EXISTING it refuses a target that is there.
            Files.move(file.path(), target);
        } catch (FileAlreadyExistsException | NoSuchFileException e) {
            // taken meanwhile, or put back by another instance: nothing to do
            return null;
        } catch (IOException e) {
            log.warn("inbox: {} has no job but could not be put back: {}", file.relative(), e.getMessage());
            return null;
        }
        Path back = file.relative().getParent().getParent() == null ? target.getFileName()
                : file.relative().getParent().getParent().resolve(target.getFileName().toString());
        log.warn("inbox: {} was taken into .done/ but no job was made of it (the service stopped in between); it "
                + "is back at {} to be taken again", file.relative(), back);
        return back;
    }
}
