package dev.conveyor.warehouse;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.SQLException;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;

/**
 * The valid rows of a validated file, kept on disk in the staging table's COPY format, so the load that follows a
 * validation streams them to PostgreSQL as they are instead of parsing and checking the whole CSV a second time.
 *
 * <p>A spool is two files: {@code <name>.copy}, the rows, and {@code <name>.meta}, written (atomically, after the
 * rows are on disk) only when the spool is complete. A spool counts only if its meta exists and names the same source
 * file, size, modification time and rule set as the load expects, and its rows file has the recorded length;
 * anything else and the load reads the CSV itself, as it always could. Deleting a spool is therefore always safe.
 */
public final class RowSpool {

    private static final int WRITE_CHUNK_BYTES = 1 << 20;

    /** What a spool was made from; a load uses a spool only if it expects the same. */
    public record Source(String file, long sizeBytes, long lastModifiedMillis, String ruleSet) {

        /** The source as it is on disk now. */
        public static Source of(String file, Path path, String ruleSet) throws IOException {
            return new Source(file, Files.size(path), Files.getLastModifiedTime(path).toMillis(), ruleSet);
        }
    }

    /** The validation's counts, kept with the rows so the load can report them without validating again. */
    public record Counts(long totalRows, long validRows, long errorRows, long warningRows) {
    }

    private final Path data;
    private final Path meta;
    private final long rows;
    private final Counts counts;

    private RowSpool(Path data, Path meta, long rows, Counts counts) {
        this.data = data;
        this.meta = meta;
        this.rows = rows;
        this.counts = counts;
    }

    /** Starts writing the spool {@code <dir>/<name>.copy}, replacing an earlier one of that name. */
    public static Writer create(Path dir, String name) throws IOException {
        Files.createDirectories(dir);
        Path data = dir.resolve(name + ".copy");
        Path meta = dir.resolve(name + ".meta");
        Files.deleteIfExists(meta);
        return new Writer(data, meta);
    }

    /** The complete spool {@code <dir>/<name>} made from {@code expected}, or empty if there is none that fits. */
    public static Optional<RowSpool> find(Path dir, String name, Source expected) {
        Path data = dir.resolve(name + ".copy");
        Path meta = dir.resolve(name + ".meta");
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(meta)) {
            p.load(in);
            Source made = new Source(p.getProperty("file"), Long.parseLong(p.getProperty("size")),
                    Long.parseLong(p.getProperty("modified")), p.getProperty("rule-set"));
            if (!made.equals(expected) || Files.size(data) != Long.parseLong(p.getProperty("bytes"))) {
                return Optional.empty();
            }
            Counts counts = new Counts(Long.parseLong(p.getProperty("total-rows")),
                    Long.parseLong(p.getProperty("valid-rows")), Long.parseLong(p.getProperty("error-rows")),
                    Long.parseLong(p.getProperty("warning-rows")));
            return Optional.of(new RowSpool(data, meta, Long.parseLong(p.getProperty("rows")), counts));
        } catch (IOException | RuntimeException e) {
            // missing, half-written or from another version: not a spool this load can trust
            return Optional.empty();
        }
    }

    /** The rows file, in COPY text format. */
    public Path data() {
        return data;
    }

    /** Rows in the spool. */
    public long rows() {
        return rows;
    }

    public Counts counts() {
        return counts;
    }

    /** Removes both files; a failure to do so is harmless (a stale spool is never used for another source). */
    public void delete() {
        deleteQuietly(meta);
        deleteQuietly(data);
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // left behind; see delete()
        }
    }

    /**
     * Writes a spool row by row. A row the staging table could not hold (a NUL character, say) spoils the spool
     * rather than failing the writer's caller: {@link #finish} then leaves no spool, and the load, reading the CSV
     * itself, fails on that row with the precise error. Closing an unfinished writer removes what it wrote.
     */
    public static final class Writer implements AutoCloseable {

        private final Path data;
        private final Path meta;
        private final FileChannel channel;
        private final OutputStream out;
        private final CopyTextEncoder encoder = new CopyTextEncoder(WRITE_CHUNK_BYTES + (64 << 10));
        private long rows;
        private long bytes;
        private boolean spoiled;
        private boolean finished;

        private Writer(Path data, Path meta) throws IOException {
            this.data = data;
            this.meta = meta;
            this.channel = FileChannel.open(data, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING);
            this.out = java.nio.channels.Channels.newOutputStream(channel);
        }

        /** Adds one valid row; the same values {@link WarehouseLoad#add} takes. */
        public void add(String sku, String title, String price, String quantity) throws IOException {
            if (spoiled) {
                return;
            }
            int mark = encoder.mark();
            try {
                StagingRows.encode(encoder, rows + 1, sku, title, price, quantity);
            } catch (SQLException | RuntimeException e) {
                encoder.rewind(mark);
                spoiled = true;
                return;
            }
            rows++;
            if (encoder.length() >= WRITE_CHUNK_BYTES) {
                writeOut();
            }
        }

        /**
         * Makes the spool complete: forces the rows to disk, then records where they came from.
         *
         * @return whether there is now a spool (false if a row spoiled it)
         */
        public boolean finish(Source source, Counts counts) throws IOException {
            Objects.requireNonNull(source, "source");
            if (spoiled) {
                return false;
            }
            writeOut();
            channel.force(true);
            Properties p = new Properties();
            p.setProperty("file", source.file());
            p.setProperty("size", Long.toString(source.sizeBytes()));
            p.setProperty("modified", Long.toString(source.lastModifiedMillis()));
            p.setProperty("rule-set", source.ruleSet());
            p.setProperty("rows", Long.toString(rows));
            p.setProperty("bytes", Long.toString(bytes));
            p.setProperty("total-rows", Long.toString(counts.totalRows()));
            p.setProperty("valid-rows", Long.toString(counts.validRows()));
            p.setProperty("error-rows", Long.toString(counts.errorRows()));
            p.setProperty("warning-rows", Long.toString(counts.warningRows()));
            Path part = meta.resolveSibling(meta.getFileName() + ".part");
            try (OutputStream m = Files.newOutputStream(part)) {
                p.store(m, "row spool; see RowSpool");
            }
            try {
                Files.move(part, meta, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(part, meta, StandardCopyOption.REPLACE_EXISTING);
            }
            finished = true;
            return true;
        }

        private void writeOut() throws IOException {
            if (encoder.length() > 0) {
                out.write(encoder.bytes(), 0, encoder.length());
                bytes += encoder.length();
                encoder.reset();
            }
        }

        @Override
        public void close() throws IOException {
            channel.close();
            if (!finished) {
                Files.deleteIfExists(meta);
                Files.deleteIfExists(data);
            }
        }
    }
}
