package dev.conveyor.warehouse;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A (tenant, marketplace) table built while its file is still being validated: the validating thread encodes each
 * valid row in COPY format and hands it, a chunk at a time, through a bounded pipe to a thread of the build's own that
 * streams it into a new table, outside the warehouse, with no index to maintain. When the validation ends with rows
 * to load, {@link #finish} builds the table's indexes and commits it, unattached, recorded in {@code warehouse_builds}
 * (V90); the chained load attaches it ({@link WarehouseBuilds#attach}). Until then nobody reads it: a build is not yet
 * a load, and the validation's outcome decides whether there will be one.
 *
 * <p>All of it is one transaction on the build's own connection: a validation that fails, is cancelled or whose process
 * is killed leaves no table and no record (PostgreSQL drops a table created by a transaction it rolls back). The pipe
 * holds at most {@code pipeChunks} chunks of about {@link #CHUNK_BYTES}, so a validation faster than the database waits
 * for it rather than filling the heap, and a database faster than the validation waits for rows.
 *
 * <p>Not thread-safe: the validating thread calls {@link #add}, {@link #finish} and {@link #close}.
 */
public final class WarehouseBuild implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WarehouseBuild.class);

    /** Rows are handed to the COPY thread in chunks of about this size: few hand-offs, little memory in the pipe. */
    static final int CHUNK_BYTES = 256 << 10;
    // the server's memory for the index builds' sorts, this transaction only (as WarehouseLoad's BUILD_MEMORY)
    private static final String BUILD_MEMORY = "256MB";
    private static final byte[] END = new byte[0];

    private final Connection connection;
    private final boolean originalAutoCommit;
    private final CopyIn copyIn;
    private final String table;
    private final String validationJobId;
    private final String tenantId;
    private final String marketplace;
    private final String category;
    private final String region;
    private final BlockingQueue<byte[]> pipe;
    private final Thread copier;
    private final CopyTextEncoder encoder = new CopyTextEncoder(CHUNK_BYTES + (64 << 10));

    private volatile SQLException copyFailure;
    private volatile boolean stopping;
    private long rows;
    private boolean spoiled;
    private boolean done;

    private WarehouseBuild(Connection connection, boolean originalAutoCommit, CopyIn copyIn, String table,
                           String validationJobId, String tenantId, String marketplace, String category,
                           String region, int pipeChunks) {
        this.connection = connection;
        this.originalAutoCommit = originalAutoCommit;
        this.copyIn = copyIn;
        this.table = table;
        this.validationJobId = validationJobId;
        this.tenantId = tenantId;
        this.marketplace = marketplace;
        this.category = category;
        this.region = region;
        this.pipe = new ArrayBlockingQueue<>(pipeChunks);
        this.copier = new Thread(this::copyChunks, "warehouse-build-" + validationJobId);
        this.copier.setDaemon(true);
    }

    /**
     * Opens the build's transaction on {@code connection} (which the build then owns and closes), replaces whatever an
     * earlier attempt of the same validation committed, creates the table and starts the COPY thread.
     */
    static WarehouseBuild start(Connection connection, String validationJobId, String tenantId, String marketplace,
                                String category, String regionOrNull, int pipeChunks) throws SQLException {
        boolean autoCommit = true;
        try {
            autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
            String table = WarehousePartitions.buildTable(validationJobId);
            WarehouseBuilds.dropBuild(connection, validationJobId);
            WarehousePartitions.createBuildTable(connection, table, tenantId, marketplace, category, regionOrNull,
                    validationJobId);
            CopyIn copyIn = connection.unwrap(PGConnection.class).getCopyAPI()
                    .copyIn("COPY " + table + " (sku, title, price, quantity) FROM STDIN");
            WarehouseBuild build = new WarehouseBuild(connection, autoCommit, copyIn, table, validationJobId, tenantId,
                    marketplace, category, regionOrNull, pipeChunks);
            build.copier.start();
            return build;
        } catch (SQLException | RuntimeException e) {
            release(connection, autoCommit);
            throw e;
        }
    }

    /**
     * Adds one valid row (the values {@link WarehouseLoad#add} takes). A row the table cannot hold (a NUL character)
     * spoils the build instead of failing the validation: there will be no build, and the load, without one, reports
     * the row precisely. A failed COPY is thrown here, at the next chunk.
     */
    public void add(String sku, String title, String price, String quantity) throws SQLException {
        if (spoiled) {
            return;
        }
        int mark = encoder.mark();
        try {
            StagingRows.encodeListing(encoder, sku, title, price, quantity);
        } catch (SQLException | RuntimeException e) {
            encoder.rewind(mark);
            spoiled = true;
            return;
        }
        rows++;
        if (encoder.length() >= CHUNK_BYTES) {
            handOff();
        }
    }

    /** Rows added so far. */
    public long rows() {
        return rows;
    }

    /**
     * Ends the COPY, builds the table's primary key and indexes and commits it, unattached, for the chained load.
     *
     * @return whether there is now a build; false (and nothing committed) if a row spoiled it or a sku repeats, in
     *         which case the load takes its rows from the spool and keeps each sku's last row, as the merge does
     */
    public boolean finish() throws SQLException {
        if (done) {
            throw new IllegalStateException("build of " + validationJobId + " already finished");
        }
        if (spoiled) {
            close();
            return false;
        }
        try {
            long finishing = System.nanoTime();
            handOff();
            endPipe();
            checkCopy();
            long copied = copyIn.endCopy();
            long copiedAt = System.nanoTime();
            if (copied != rows) {
                throw new SQLException("COPY stored " + copied + " rows but " + rows + " were sent", "XX000");
            }
            try (Statement statement = connection.createStatement()) {
                statement.execute("SET LOCAL maintenance_work_mem = '" + BUILD_MEMORY + "'");
            }
            try {
                WarehousePartitions.addPrimaryKey(connection, table);
            } catch (SQLException e) {
                if ("23505".equals(e.getSQLState())) {
                    close();
                    return false;
                }
                throw e;
            }
            WarehousePartitions.addIndexes(connection, table);
            WarehousePartitions.analyze(connection, table);
            WarehousePartitions.dropBuildDefaults(connection, table);
            try (PreparedStatement record = connection.prepareStatement("INSERT INTO warehouse_builds (table_name,"
                    + " validation_job_id, tenant_id, marketplace, category, region, rows) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                int i = 0;
                record.setString(++i, table);
                record.setString(++i, validationJobId);
                record.setString(++i, tenantId);
                record.setString(++i, marketplace);
                record.setString(++i, category);
                record.setString(++i, region);
                record.setLong(++i, rows);
                record.executeUpdate();
            }
            connection.commit();
            done = true;
            release(connection, originalAutoCommit);
            // where a first load's time goes once the file is read: the rows still in the pipe, then the indexes
            log.info("{}: built {} for its load, {} rows; after the last row: COPY done in {} ms, indexed and"
                    + " committed in {} ms", validationJobId, table, rows, (copiedAt - finishing) / 1_000_000,
                    (System.nanoTime() - copiedAt) / 1_000_000);
            return true;
        } catch (SQLException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Rolls back whatever was not committed (no table, no record) and gives the connection back. Never throws. */
    @Override
    public void close() {
        if (done) {
            return;
        }
        done = true;
        stopping = true;
        pipe.clear();
        endPipe();
        try {
            if (copyIn.isActive()) {
                copyIn.cancelCopy();
            }
        } catch (SQLException | RuntimeException ignored) {
            // the connection is rolled back and closed below; a broken one is not reused
        }
        release(connection, originalAutoCommit);
    }

    /** The COPY thread: writes each chunk as it comes; after a failure it drains the pipe so nobody waits on it. */
    private void copyChunks() {
        try {
            for (byte[] chunk; (chunk = pipe.take()) != END; ) {
                if (copyFailure == null && !stopping) {
                    try {
                        copyIn.writeToCopy(chunk, 0, chunk.length);
                    } catch (SQLException e) {
                        copyFailure = e;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void handOff() throws SQLException {
        checkCopy();
        if (encoder.length() == 0) {
            return;
        }
        byte[] chunk = Arrays.copyOf(encoder.bytes(), encoder.length());
        encoder.reset();
        put(chunk);
        checkCopy();
    }

    /**
     * Tells the COPY thread there is no more and waits for it to have written everything before. Not interruptible:
     * the connection must be the calling thread's alone again before anything else is done with it (the COPY thread
     * always ends, after the chunk it is writing, or at once if it has failed); an interrupt is kept for the caller.
     */
    private void endPipe() {
        boolean interrupted = Thread.interrupted();
        try {
            while (copier.isAlive()) {
                try {
                    pipe.put(END);
                    copier.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void put(byte[] chunk) {
        try {
            pipe.put(chunk);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("build of " + validationJobId + " was interrupted", e);
        }
    }

    private void checkCopy() throws SQLException {
        SQLException failure = copyFailure;
        if (failure != null) {
            throw new SQLException("streaming the valid rows of " + validationJobId + " into " + table + " failed: "
                    + failure.getMessage(), failure.getSQLState(), failure);
        }
    }

    private static void release(Connection connection, boolean autoCommit) {
        try {
            if (!connection.getAutoCommit()) {
                connection.rollback();   // a no-op after commit
            }
            connection.setAutoCommit(autoCommit);
        } catch (SQLException | RuntimeException ignored) {
            // discarded below
        }
        try {
            connection.close();
        } catch (SQLException | RuntimeException ignored) {
            // nothing more to do with it
        }
    }
}
