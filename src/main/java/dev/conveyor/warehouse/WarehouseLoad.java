package dev.conveyor.warehouse;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.function.LongConsumer;

import org.postgresql.PGConnection;
import org.postgresql.PGStatement;
import org.postgresql.copy.CopyIn;

/**
 * One job's load into {@code warehouse_listings}: an open transaction with a COPY into a temporary staging table.
 * {@link #add} streams rows; {@link #commit()} merges them into the warehouse and commits; {@link #close()} rolls
 * back whatever was not committed. Any failure rolls the whole load back and leaves the warehouse as it was.
 *
 * <p>{@link #commit()} takes one of four paths ({@link LoadReport.Path}): the tenant's first rows in the marketplace
 * become a table of their own, indexed after it is filled and then attached as a partition (ATTACHED; see
 * {@link WarehousePartitions}), or are inserted where such a table cannot be built (INSERTED); a tenant with rows
 * there gets the merge (MERGED), followed in REPLACE mode by the deletion of its category's rows the file lacks
 * (REPLACED). Each is one transaction, DDL included.
 *
 * <p>A load belongs to one tenant and one marketplace, fixed when it is opened: every statement that reads or writes
 * {@code warehouse_listings} names both, so the merge matches, updates, inserts and counts the tenant's rows only and
 * another tenant's row for the same marketplace and sku is never read, compared or written. The staging table needs
 * no tenant column: it is private to this transaction and holds this load's rows only.
 *
 * <p>Not thread-safe: one thread feeds one load.
 */
public final class WarehouseLoad implements AutoCloseable {

    /** A chunk is handed to the COPY stream at {@code copyBufferRows} rows, or sooner if its rows are this big. */
    private static final int MAX_CHUNK_BYTES = 8 << 20;
    private static final int SPOOL_CHUNK_BYTES = 1 << 20;
    private static final long SPOOL_PROGRESS_BYTES = 8L << 20;
    // The server's memory for a built table's sorts, for this transaction only. 1M rows sort in ~130 MB; with the
    // default 4 MB (work_mem) and 64 MB (maintenance_work_mem) they spill to temp files and take a third longer.
    private static final String BUILD_MEMORY = "256MB";

    // seq keeps file order, so the merge can tell which of a sku's rows came last.
    private static final String CREATE_STAGING = """
            CREATE TEMP TABLE warehouse_staging (
                seq      bigint NOT NULL,
                sku      text COLLATE "C" NOT NULL,
                title    text,
                price    numeric,
                quantity bigint
            ) ON COMMIT DROP""";

    private static final String COPY_STAGING =
            "COPY pg_temp.warehouse_staging (seq, sku, title, price, quantity) FROM STDIN";

    // Loads into one tenant's marketplace take turns at the merge (only there: they stream in parallel). Without
    // that, two loads inserting the same new sku at once would fail one of them on the primary key. Loads of
    // different tenants never touch the same key, so they need not wait for each other; a tenant and marketplace
    // pair that hashes like another (or reads the same joined with '/') only shares its lock, which is harmless.
    // Parameters: 1 tenant, 2 marketplace.
    static final String LOCK_TENANT_MARKETPLACE =
            "SELECT pg_advisory_xact_lock(hashtext('warehouse_listings'), hashtext(? || '/' || ?))";

    /*
     * The merge, as one statement. It joins the deduplicated staging rows to the warehouse once, then updates the rows
     * that exist and differ and plain-inserts the ones that do not exist. This replaces INSERT ... ON CONFLICT DO
     * UPDATE, which does the same but costs a speculative insertion (an extra index probe and token) per row: on the
     * same PostgreSQL 15, 1M rows took 1.4-1.7x as long that way, whether all new or all unchanged. It is safe
     * without ON CONFLICT because the lock above makes loads into one tenant's marketplace merge one after
     * another, and under READ COMMITTED this statement's snapshot, taken after the lock, sees every earlier merge.
     * Each of the three parts names the tenant: the join, the update and the insert see and write its rows only.
     *
     * Parameters: 1 category, 2 region, 3 tenant, 4 marketplace | 5 category, 6 region, 7 job, 8 tenant,
     *             9 marketplace | 10 tenant, 11 marketplace, 12 category, 13 region, 14 job.
     */
    private static final String MERGE = """
            WITH src AS MATERIALIZED (
                SELECT s.sku, s.title, s.price, s.quantity,
                       w.sku IS NOT NULL AS present,
                       (w.category, w.region, w.title, w.price, w.quantity)
                           IS DISTINCT FROM (?::text, ?::text, s.title, s.price, s.quantity) AS changed
                  FROM (SELECT DISTINCT ON (sku) sku, title, price, quantity
                          FROM pg_temp.warehouse_staging
                         ORDER BY sku, seq DESC) s
                  LEFT JOIN warehouse_listings w ON w.tenant_id = ? AND w.marketplace = ? AND w.sku = s.sku
            ),
            updated AS (
                UPDATE warehouse_listings w
                   SET category = ?, region = ?, title = src.title, price = src.price, quantity = src.quantity,
                       source_job_id = ?, updated_at = now()
                  FROM src
                 WHERE src.present AND src.changed AND w.tenant_id = ? AND w.marketplace = ? AND w.sku = src.sku
                RETURNING 1
            ),
            inserted AS (
                INSERT INTO warehouse_listings (tenant_id, marketplace, sku, category, region, title, price, quantity,
                                                source_job_id)
                SELECT ?, ?, src.sku, ?, ?, src.title, src.price, src.quantity, ? FROM src WHERE NOT src.present
                RETURNING 1
            )
            SELECT (SELECT count(*) FROM src), (SELECT count(*) FROM inserted), (SELECT count(*) FROM updated)""";

    // Asked under the tenant's marketplace lock, so no other load can add its first rows in between. Another
    // tenant's rows in the marketplace do not count: they are not this load's to match, so the first load of a
    // marketplace is per tenant. Parameters: 1 tenant, 2 marketplace.
    private static final String TENANT_MARKETPLACE_HAS_ROWS =
            "SELECT EXISTS (SELECT 1 FROM warehouse_listings WHERE tenant_id = ? AND marketplace = ?)";

    /*
     * The merge when the tenant has no rows in the marketplace yet (its first load there, a typical big import),
     * whatever other tenants have there: every deduplicated staging row is new, so there is nothing to join or
     * compare, and the MERGE's materialised CTE, the join and the ANALYZE it needs are all skipped. On PostgreSQL
     * 15 with 980k rows this cut the server's CPU for the merge from 3.5 s to 3.0 s; what remains is the sort
     * (~0.4 s) and maintaining the table's three b-tree indexes per row.
     * The DISTINCT ON keeps a repeated sku's last row (by seq), like the MERGE does, and its sort hands the rows to the
     * primary key in key order (tenant and marketplace are the same on every row), which keeps the index inserts
     * together in the one range of it that the tenant's marketplace occupies.
     * Used where that marketplace cannot have a table built for it (see buildAndAttach), and there to fill the
     * built table when a sku repeats. INSERT_ALL_NEW_PREFIX + the target table + this.
     *
     * Parameters: 1 tenant, 2 marketplace, 3 category, 4 region, 5 job.
     */
    private static final String INSERT_ALL_NEW_PREFIX = "INSERT INTO ";
    private static final String INSERT_ALL_NEW_DEDUPLICATED = """
             (tenant_id, marketplace, sku, category, region, title, price, quantity, source_job_id)
            SELECT DISTINCT ON (sku) ?, ?, sku, ?, ?, title, price, quantity, ?
              FROM pg_temp.warehouse_staging
             ORDER BY sku, seq DESC""";

    /*
     * INSERT_ALL_NEW_DEDUPLICATED without the DISTINCT ON and its sort, for a table that is built then indexed: when
     * no sku repeats (the primary key, built next, proves it), sorting 1M rows here and again for the key is one
     * sort too many (1.8 s of a 4 s insert on PostgreSQL 15). Parameters as INSERT_ALL_NEW_DEDUPLICATED.
     */
    private static final String INSERT_ALL_AS_STAGED = """
             (tenant_id, marketplace, sku, category, region, title, price, quantity, source_job_id)
            SELECT ?, ?, sku, ?, ?, title, price, quantity, ? FROM pg_temp.warehouse_staging""";

    /*
     * A replace's other half, after the merge in the same transaction: the tenant's rows of the marketplace and
     * category whose sku the file does not have. A sku the file moved into the category from another was updated
     * by the merge and is in staging, so it stays. Parameters: 1 tenant, 2 marketplace, 3 category.
     */
    private static final String DELETE_NOT_IN_FILE = """
            DELETE FROM warehouse_listings w
             WHERE w.tenant_id = ? AND w.marketplace = ? AND w.category = ?
               AND NOT EXISTS (SELECT 1 FROM pg_temp.warehouse_staging s WHERE s.sku = w.sku)""";

    private enum State { OPEN, COMMITTED, FAILED, CLOSED }

    private final Connection connection;
    private final boolean originalAutoCommit;
    private final int originalIsolation;
    private final CopyIn copyIn;
    private final int copyBufferRows;
    private final String jobId;
    private final String tenantId;
    private final String marketplace;
    private final String category;
    private final String region;
    private final boolean replace;
    private final long startedNanos;
    private final CopyTextEncoder encoder;

    private State state = State.OPEN;
    private SQLException failure;
    private long rows;
    private int bufferedRows;
    private boolean firstLoad;

    private WarehouseLoad(Connection connection, boolean originalAutoCommit, int originalIsolation, CopyIn copyIn,
                          int copyBufferRows, String jobId, String tenantId, String marketplace, String category,
                          String region, boolean replace, long startedNanos) {
        this.connection = connection;
        this.originalAutoCommit = originalAutoCommit;
        this.originalIsolation = originalIsolation;
        this.copyIn = copyIn;
        this.copyBufferRows = copyBufferRows;
        this.jobId = jobId;
        this.tenantId = tenantId;
        this.marketplace = marketplace;
        this.category = category;
        this.region = region;
        this.replace = replace;
        this.startedNanos = startedNanos;
        // ~100 bytes a row is typical; the encoder grows if rows are bigger and shrinks back after
        this.encoder = new CopyTextEncoder((int) Math.min(MAX_CHUNK_BYTES, 128L * copyBufferRows));
    }

    /** Starts the transaction and the COPY on {@code connection}, which the load then owns (and closes). */
    static WarehouseLoad open(Connection connection, int copyBufferRows, String jobId, String tenantId,
                              String marketplace, String category, String region, boolean replace)
            throws SQLException {
        long started = System.nanoTime();
        boolean autoCommit = true;
        int isolation = Connection.TRANSACTION_READ_COMMITTED;
        try {
            autoCommit = connection.getAutoCommit();
            isolation = connection.getTransactionIsolation();
            // the merge relies on READ COMMITTED's per-statement snapshot; see LOCK_TENANT_MARKETPLACE
            if (isolation != Connection.TRANSACTION_READ_COMMITTED) {
                connection.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            }
            connection.setAutoCommit(false);
            try (Statement statement = connection.createStatement()) {
                statement.execute(CREATE_STAGING);
            }
            CopyIn copyIn = connection.unwrap(PGConnection.class).getCopyAPI().copyIn(COPY_STAGING);
            return new WarehouseLoad(connection, autoCommit, isolation, copyIn, copyBufferRows, jobId, tenantId,
                    marketplace, category, region, replace, started);
        } catch (SQLException | RuntimeException e) {
            release(connection, null, autoCommit, isolation, e);
            throw e;
        }
    }

    /**
     * Adds one row, as validated: {@code price} plain decimal text ({@code 12.50}, {@code -1}, {@code +3}),
     * {@code quantity} plain integer text; a null or blank price or quantity and a null title are stored as NULL.
     * Rows are buffered and streamed in chunks; a sku seen again later in the same load replaces the earlier row.
     *
     * @throws SQLException if the row cannot be encoded or the stream fails; the load is then rolled back
     */
    public void add(String sku, String title, String price, String quantity) throws SQLException {
        checkOpen();
        long seq = rows + 1;
        try {
            StagingRows.encode(encoder, seq, sku, title, price, quantity);
        } catch (SQLException e) {
            throw abort(new SQLException("row " + seq + " of job " + jobId + ": " + e.getMessage(),
                    e.getSQLState(), e));
        } catch (RuntimeException e) {
            abort(new SQLException("row " + seq + " of job " + jobId + " could not be encoded", e));
            throw e;
        }
        rows = seq;
        if (++bufferedRows >= copyBufferRows || encoder.length() >= MAX_CHUNK_BYTES) {
            try {
                flush();
            } catch (SQLException e) {
                throw abort(e);
            }
        }
    }

    /**
     * Streams a spool's rows, already encoded by {@link RowSpool.Writer} the way {@link #add} would encode them,
     * straight into the COPY: no parsing and no encoding here. Only into a load that has no rows yet (the spool
     * numbers its rows from 1). {@code progress} is told the bytes sent so far every few MiB; an unchecked exception
     * it throws (a cancelled job) rolls the load back and propagates unchanged.
     *
     * @throws SQLException if the stream fails or the spool cannot be read; the load is then rolled back
     */
    public void addSpooled(RowSpool spool, LongConsumer progress) throws SQLException {
        checkOpen();
        if (rows != 0) {
            throw new IllegalStateException("a spool can only be the whole of a load; " + rows + " rows were added");
        }
        try (InputStream in = Files.newInputStream(spool.data())) {
            flush();
            byte[] chunk = new byte[SPOOL_CHUNK_BYTES];
            long sent = 0;
            long reported = 0;
            for (int n; (n = in.read(chunk)) > 0; ) {
                copyIn.writeToCopy(chunk, 0, n);
                sent += n;
                if (sent - reported >= SPOOL_PROGRESS_BYTES) {
                    reported = sent;
                    progress.accept(sent);
                }
            }
            rows = spool.rows();
        } catch (IOException e) {
            throw abort(new SQLException("spool " + spool.data() + " of job " + jobId + " could not be read: "
                    + e.getMessage(), "58030", e));
        } catch (SQLException e) {
            throw abort(e);
        } catch (RuntimeException e) {
            abort(new SQLException("load of job " + jobId + " was stopped", e));
            throw e;
        }
    }

    /** Rows added so far. */
    public long rowsReceived() {
        return rows;
    }

    /**
     * Whether {@link #commit()} found the tenant without rows in the marketplace and so inserted without the merge's
     * join. Package-private: the choice is the load's own business, but tests check it is made per tenant.
     */
    boolean wasFirstLoad() {
        return firstLoad;
    }

    /**
     * Ends the COPY, merges the staged rows into the warehouse and commits: after this returns, the whole load is
     * visible; if it throws, none of it is.
     */
    public LoadReport commit() throws SQLException {
        checkOpen();
        try {
            flush();
            long copied = copyIn.endCopy();
            if (copied != rows) {
                throw new SQLException("COPY stored " + copied + " rows but " + rows + " were sent", "XX000");
            }
            long distinct;
            long inserted;
            long updated;
            try (PreparedStatement lock = connection.prepareStatement(LOCK_TENANT_MARKETPLACE)) {
                lock.setString(1, tenantId);
                lock.setString(2, marketplace);
                lock.execute();
            }
            if (!tenantHasRowsInMarketplace()) {
                firstLoad = true;
                // an empty load has nothing to build a table from: it would only leave an empty partition behind
                if (rows > 0 && WarehousePartitions.canBuild(connection, tenantId, marketplace)) {
                    inserted = buildAndAttach();
                    return committed(inserted, inserted, 0, LoadReport.Path.ATTACHED);
                }
                inserted = insertAllNew(INSERT_ALL_NEW_PREFIX + "warehouse_listings" + INSERT_ALL_NEW_DEDUPLICATED);
                return committed(inserted, inserted, 0, LoadReport.Path.INSERTED);
            }
            try (Statement statement = connection.createStatement()) {
                // Without statistics the planner takes the deduplicated rows for ~200 and joins them to the
                // warehouse by a nested loop over the primary key: re-loading 1M rows took 15 s that way, 7 s
                // after ANALYZE (a hash join). The ANALYZE itself is ~0.2 s at 1M rows.
                statement.execute("ANALYZE pg_temp.warehouse_staging");
            }
            try (PreparedStatement merge = connection.prepareStatement(MERGE)) {
                // the staging table is new every time: a server-side prepared plan would not outlive it
                merge.unwrap(PGStatement.class).setPrepareThreshold(0);
                int i = 0;
                merge.setString(++i, category);
                merge.setString(++i, region);
                merge.setString(++i, tenantId);
                merge.setString(++i, marketplace);
                merge.setString(++i, category);
                merge.setString(++i, region);
                merge.setString(++i, jobId);
                merge.setString(++i, tenantId);
                merge.setString(++i, marketplace);
                merge.setString(++i, tenantId);
                merge.setString(++i, marketplace);
                merge.setString(++i, category);
                merge.setString(++i, region);
                merge.setString(++i, jobId);
                try (ResultSet result = merge.executeQuery()) {
                    result.next();
                    distinct = result.getLong(1);
                    inserted = result.getLong(2);
                    updated = result.getLong(3);
                }
            }
            if (replace) {
                return committed(distinct, inserted, updated, deleteNotInFile(), LoadReport.Path.REPLACED);
            }
            return committed(distinct, inserted, updated, LoadReport.Path.MERGED);
        } catch (SQLException e) {
            throw abort(e);
        } catch (RuntimeException e) {
            abort(new SQLException("commit of job " + jobId + " failed", e));
            throw e;
        }
    }

    private boolean tenantHasRowsInMarketplace() throws SQLException {
        return tenantHasRowsInMarketplace(connection, tenantId, marketplace);
    }

    /** Whether the tenant has rows in the marketplace, on the caller's connection. */
    static boolean tenantHasRowsInMarketplace(Connection connection, String tenantId, String marketplace)
            throws SQLException {
        try (PreparedStatement query = connection.prepareStatement(TENANT_MARKETPLACE_HAS_ROWS)) {
            query.setString(1, tenantId);
            query.setString(2, marketplace);
            try (ResultSet result = query.executeQuery()) {
                result.next();
                return result.getBoolean(1);
            }
        }
    }

    /**
     * The tenant's first load into the marketplace, as a table of its own: filled with no index to maintain, its
     * indexes built after (a sort each), then attached under the tenant's partition. If a sku repeats, the primary
     * key cannot be built: the table is emptied back to the savepoint and filled again with the last row of each sku,
     * as the merge would keep. All in the load's transaction, so until the commit nobody sees the table, and a crash
     * leaves nothing of it.
     */
    private long buildAndAttach() throws SQLException {
        String table = WarehousePartitions.createMarketplaceTable(connection, tenantId, marketplace);
        try (Statement statement = connection.createStatement()) {
            // the sort of each index build, and the fallback's DISTINCT ON, in memory rather than in temp files
            statement.execute("SET LOCAL maintenance_work_mem = '" + BUILD_MEMORY + "'");
            statement.execute("SET LOCAL work_mem = '" + BUILD_MEMORY + "'");
        }
        Savepoint filled = connection.setSavepoint();
        long inserted = insertAllNew(INSERT_ALL_NEW_PREFIX + table + INSERT_ALL_AS_STAGED);
        try {
            WarehousePartitions.addPrimaryKey(connection, table);
        } catch (SQLException e) {
            if (!"23505".equals(e.getSQLState())) {
                throw e;
            }
            connection.rollback(filled);
            inserted = insertAllNew(INSERT_ALL_NEW_PREFIX + table + INSERT_ALL_NEW_DEDUPLICATED);
            WarehousePartitions.addPrimaryKey(connection, table);
        }
        WarehousePartitions.addIndexes(connection, table);
        WarehousePartitions.analyze(connection, table);
        WarehousePartitions.attach(connection, tenantId, marketplace, table);
        return inserted;
    }

    private long insertAllNew(String sql) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(sql)) {
            insert.unwrap(PGStatement.class).setPrepareThreshold(0);
            insert.setString(1, tenantId);
            insert.setString(2, marketplace);
            insert.setString(3, category);
            insert.setString(4, region);
            insert.setString(5, jobId);
            return insert.executeLargeUpdate();
        }
    }

    private long deleteNotInFile() throws SQLException {
        try (Statement statement = connection.createStatement()) {
            // The staging table has no index, so a nested loop here scans all of it once per warehouse row: the
            // planner picks one only when it believes the category nearly empty (statistics older than the last
            // load), and then a replace of 60k rows took minutes. A hash anti join is right at every size that
            // matters; LOCAL ends with this transaction, of which the delete is the last statement.
            statement.execute("SET LOCAL enable_nestloop = off");
        }
        try (PreparedStatement delete = connection.prepareStatement(DELETE_NOT_IN_FILE)) {
            delete.unwrap(PGStatement.class).setPrepareThreshold(0);
            delete.setString(1, tenantId);
            delete.setString(2, marketplace);
            delete.setString(3, category);
            return delete.executeLargeUpdate();
        }
    }

    private LoadReport committed(long distinct, long inserted, long updated, LoadReport.Path path)
            throws SQLException {
        return committed(distinct, inserted, updated, 0, path);
    }

    private LoadReport committed(long distinct, long inserted, long updated, long deleted, LoadReport.Path path)
            throws SQLException {
        connection.commit();
        state = State.COMMITTED;
        long durationMs = (System.nanoTime() - startedNanos) / 1_000_000;
        release(connection, null, originalAutoCommit, originalIsolation, null);
        return new LoadReport(rows, distinct, inserted, updated, distinct - inserted - updated, deleted, durationMs,
                path);
    }

    /** Rolls back if not committed. Idempotent; never throws. */
    @Override
    public void close() {
        if (state == State.OPEN) {
            state = State.CLOSED;
            release(connection, copyIn, originalAutoCommit, originalIsolation, null);
        } else if (state == State.COMMITTED) {
            state = State.CLOSED;
        }
    }

    private void flush() throws SQLException {
        if (encoder.length() > 0) {
            copyIn.writeToCopy(encoder.bytes(), 0, encoder.length());
            encoder.reset();
        }
        bufferedRows = 0;
    }

    private void checkOpen() throws SQLException {
        switch (state) {
            case OPEN -> { }
            case FAILED -> throw new SQLException("load of job " + jobId + " was rolled back after a failure",
                    failure.getSQLState(), failure);
            default -> throw new IllegalStateException("load of job " + jobId + " is " + state.name().toLowerCase());
        }
    }

    /** Rolls back and gives the connection back; the load is dead after this. Returns {@code cause}. */
    private SQLException abort(SQLException cause) {
        if (state == State.OPEN) {
            state = State.FAILED;
            failure = cause;
            release(connection, copyIn, originalAutoCommit, originalIsolation, cause);
        }
        return cause;
    }

    /**
     * Ends whatever is in progress on the connection (COPY, transaction), restores its settings and closes it.
     * Problems doing so are attached to {@code cause} if there is one, otherwise dropped: the connection is being
     * discarded and a pool will not reuse one that is broken.
     */
    private static void release(Connection connection, CopyIn copyIn, boolean autoCommit, int isolation,
                                Exception cause) {
        try {
            if (copyIn != null && copyIn.isActive()) {
                copyIn.cancelCopy();
            }
        } catch (SQLException | RuntimeException e) {
            suppress(cause, e);
        }
        try {
            if (!connection.getAutoCommit()) {
                connection.rollback();   // a no-op after commit
            }
            connection.setAutoCommit(autoCommit);
            if (connection.getTransactionIsolation() != isolation) {
                connection.setTransactionIsolation(isolation);
            }
        } catch (SQLException | RuntimeException e) {
            suppress(cause, e);
        }
        try {
            connection.close();
        } catch (SQLException | RuntimeException e) {
            suppress(cause, e);
        }
    }

    private static void suppress(Exception cause, Exception e) {
        if (cause != null && cause != e) {
            cause.addSuppressed(e);
        }
    }
}
