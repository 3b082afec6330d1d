package dev.conveyor.retention;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import dev.conveyor.config.ConveyorProperties;
import dev.conveyor.job.JobIds;
import dev.conveyor.processors.BulkImportProcessor;
import dev.conveyor.processors.DataFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.SqlValue;
import org.springframework.stereotype.Component;

/**
 * Deletes the files of jobs that finished more than {@code conveyor.retention.days} ago: their uploads and imports
 * ({@code <data-dir>/tenants/<tenant>/uploads|imports/}) and their error reports ({@code <data-dir>/reports/}). Run
 * by the {@code data-retention} route (routes/data-retention.camel.yaml); nothing else ever removes them.
 * <p>
 * A file is deleted only when no job still needs it: an upload or import is named by several jobs (the upload's
 * validation and its chained load, an import and the validation and load that follow it, or any later job of the
 * same tenant naming it), so it goes only once none of the jobs naming it is unfinished or finished recently. Only
 * regular files inside the service's own folders are deleted; a symbolic link, the file or any folder on the way, is
 * left alone, never followed. Finished jobs are read in batches in completion order; the position reached is kept
 * in memory, so a run only reads the jobs that aged out since the last one (after a restart, the first run reads
 * them all again: deleting is idempotent). Every instance may run it at once.
 */
@Component("dataRetention")
public class DataRetention {

    private static final Logger log = LoggerFactory.getLogger(DataRetention.class);
    private static final String FINAL = "('SUCCESS', 'PARTIAL_SUCCESS', 'FAILED', 'DEAD_LETTERED', 'CANCELLED')";
    /**
     * A job can only name a file that existed when it was submitted, so the recently finished jobs that may name a
     * batch's files were created after the oldest of those owners, less this margin (an upload is stored just before
     * its job): it keeps that part of the query to the recent jobs' index range. Unfinished jobs are all checked,
     * whenever they were created: they are few, and the ones that matter most.
     */
    private static final Duration CREATED_MARGIN = Duration.ofDays(1);

    /** What a run removed. */
    public record Report(int jobs, int deleted, int kept) {
    }

    private record Finished(String jobId, String tenantId, String type, String file, Timestamp createdAt,
                            Timestamp completedAt) {
    }

    private record TenantFile(String tenantId, String name) {
    }

    private final JdbcTemplate jdbc;
    private final DataFiles files;
    private final Path dataDir;
    private final Path reportsDir;
    private final int days;
    private final int batchSize;
    private final Clock clock;
    /** The last job swept: (completed_at, job_id); runs resume after it. */
    private Timestamp afterCompletedAt = new Timestamp(0);
    private String afterJobId = "";

    @Autowired
    public DataRetention(JdbcTemplate jdbc, DataFiles files, ConveyorProperties properties) {
        this(jdbc, files, properties, Clock.systemUTC());
    }

    DataRetention(JdbcTemplate jdbc, DataFiles files, ConveyorProperties properties, Clock clock) {
        this.jdbc = jdbc;
        this.files = files;
        this.dataDir = properties.dataDir().toAbsolutePath().normalize();
        this.reportsDir = properties.reportsDir().toAbsolutePath().normalize();
        this.days = properties.retention().days();
        this.batchSize = Math.max(1, properties.retention().batchSize());
        this.clock = clock;
    }

    /** One sweep; {@code synchronized}: the route's runs and a manual call never overlap in one instance. */
    public synchronized Report purge() {
        if (days <= 0) {
            return new Report(0, 0, 0); // 0: keep files forever
        }
        Timestamp cutoff = Timestamp.from(clock.instant().minus(Duration.ofDays(days)));
        int jobs = 0;
        int deleted = 0;
        int kept = 0;
        while (true) {
            List<Finished> batch = jdbc.query("""
                    SELECT job_id, tenant_id, type, payload ->> 'file' AS file, created_at, completed_at FROM jobs
                    WHERE completed_at < ? AND status IN""" + FINAL + """
                      AND (completed_at, job_id) > (?, ?)
                    ORDER BY completed_at, job_id
                    LIMIT ?""",
                    (rs, i) -> new Finished(rs.getString("job_id"), rs.getString("tenant_id"), rs.getString("type"),
                            rs.getString("file"), rs.getTimestamp("created_at"), rs.getTimestamp("completed_at")),
                    cutoff, afterCompletedAt, afterJobId, batchSize);
            if (batch.isEmpty()) {
                break;
            }
            jobs += batch.size();
            Set<TenantFile> named = new LinkedHashSet<>();
            for (Finished job : batch) {
                if (job.file() != null) {
                    named.add(new TenantFile(job.tenantId(), job.file()));
                }
                if (BulkImportProcessor.TYPE.equals(job.type())) {
                    named.add(new TenantFile(job.tenantId(), "imports/" + job.jobId() + ".csv"));
                }
                if (JobIds.isWellFormed(job.jobId()) && deleteInside(reportsDir, reportsDir.resolve(job.jobId()
                        + "-errors.csv"))) {
                    deleted++;
                }
            }
            Set<TenantFile> needed = stillNeeded(named, batch, cutoff);
            for (TenantFile file : named) {
                if (needed.contains(file)) {
                    kept++;
                } else if (deleteTenantFile(file)) {
                    deleted++;
                }
            }
            Finished last = batch.get(batch.size() - 1);
            afterCompletedAt = last.completedAt();
            afterJobId = last.jobId();
            if (batch.size() < batchSize) {
                break;
            }
        }
        if (deleted > 0 || kept > 0) {
            log.info("data retention: {} jobs finished before {} swept, {} files deleted, {} kept (still named by "
                    + "an unfinished or recent job)", jobs, cutoff.toInstant(), deleted, kept);
        }
        return new Report(jobs, deleted, kept);
    }

    /** The files among these that a job still needs: one not finished, or finished after the cutoff. */
    private Set<TenantFile> stillNeeded(Set<TenantFile> named, List<Finished> owners, Timestamp cutoff) {
        if (named.isEmpty()) {
            return Set.of();
        }
        Instant oldest = owners.stream().map(f -> f.createdAt().toInstant()).min(Instant::compareTo).orElseThrow();
        String[] tenants = named.stream().map(TenantFile::tenantId).distinct().toArray(String[]::new);
        String[] names = named.stream().map(TenantFile::name).distinct().toArray(String[]::new);
        Set<TenantFile> needed = new HashSet<>();
        jdbc.query("""
                SELECT DISTINCT tenant_id, payload ->> 'file' AS file FROM jobs
                WHERE tenant_id = ANY (?) AND payload ->> 'file' = ANY (?)
                  AND (status IN ('QUEUED', 'RUNNING', 'RETRYING') OR (completed_at >= ? AND created_at >= ?))""",
                rs -> {
                    needed.add(new TenantFile(rs.getString("tenant_id"), rs.getString("file")));
                },
                new TextArray(tenants), new TextArray(names), cutoff, Timestamp.from(oldest.minus(CREATED_MARGIN)));
        return needed;
    }

    /** A text[] parameter, for {@code = ANY (?)}: one statement for a whole batch. */
    private record TextArray(String[] values) implements SqlValue {
        @Override
        public void setValue(PreparedStatement ps, int index) throws SQLException {
            ps.setArray(index, ps.getConnection().createArrayOf("text", values));
        }

        @Override
        public void cleanup() {
        }
    }

    /** Deletes an upload or import of the tenant, only if it is one: a plain name under uploads/ or imports/. */
    private boolean deleteTenantFile(TenantFile file) {
        Path root;
        Path path;
        try {
            root = files.tenantRoot(file.tenantId());
            path = root.resolve(file.name()).normalize();
        } catch (IllegalArgumentException e) { // InvalidPathException among them
            return false; // not a name this service gave out (an inbox path, say): not ours to delete
        }
        if (!path.startsWith(root.resolve("uploads")) && !path.startsWith(root.resolve("imports"))) {
            return false;
        }
        return deleteInside(root, path);
    }

    /**
     * Deletes the regular file at {@code path} (under {@code folder}, itself under the data directory) unless it, or a
     * folder between the data directory and it, is a symbolic link: a link is never followed, nor removed.
     */
    private boolean deleteInside(Path folder, Path path) {
        if (!path.startsWith(folder) || !folder.startsWith(dataDir) || path.equals(folder)) {
            return false;
        }
        try {
            Path parent = path.getParent();
            if (!Files.isDirectory(parent, LinkOption.NOFOLLOW_LINKS)) {
                return false;
            }
            // the real location of the folder must be where its name says: no link anywhere below the data dir
            if (!parent.toRealPath().equals(dataDir.toRealPath().resolve(dataDir.relativize(parent)))) {
                log.warn("data retention: {} is reached through a symbolic link; its files are left alone", parent);
                return false;
            }
            BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
            if (!attributes.isRegularFile()) {
                log.warn("data retention: {} is not a regular file (a link?); left alone", path);
                return false;
            }
            return Files.deleteIfExists(path);
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            // the next run tries again
            log.warn("data retention: could not delete {}: {}", path, e.toString());
            return false;
        }
    }
}
