package dev.conveyor.warehouse;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

import javax.sql.DataSource;

import org.postgresql.ds.PGSimpleDataSource;

import dev.conveyor.support.TestDatabase;

/**
 * A schema of its own for one test class on the test PostgreSQL, with the warehouse's migrations (V2, V8, V20, V90) run
 * in it; dropped on close.
 * Its {@link #dataSource()} counts connections, so tests can check a load always gives its connection back.
 */
final class WarehouseSchema implements AutoCloseable {

    /** The migrations that make warehouse_listings what it is, in order; no other table is needed. */
    private static final String[] MIGRATIONS = {"V2__warehouse.sql", "V8__warehouse_tenant.sql",
            "V20__warehouse_partitions.sql", "V90__warehouse_builds.sql"};

    private final String name;
    private final PGSimpleDataSource raw;
    private final AtomicInteger open = new AtomicInteger();
    private final DataSource counting;

    private WarehouseSchema(String name, PGSimpleDataSource raw) {
        this.name = name;
        this.raw = raw;
        this.counting = new CountingDataSource();
    }

    static WarehouseSchema create() throws SQLException, IOException {
        String name = "t_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(TestDatabase.url());
        ds.setUser(TestDatabase.user());
        ds.setPassword(TestDatabase.password());
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + name);
            s.execute("SET search_path = " + name);
            for (String migration : MIGRATIONS) {
                s.execute(migration(migration));
            }
        }
        ds.setCurrentSchema(name);
        return new WarehouseSchema(name, ds);
    }

    private static String migration(String file) throws IOException {
        try (InputStream in = WarehouseSchema.class.getResourceAsStream("/db/migration/" + file)) {
            if (in == null) {
                throw new IOException(file + " is not on the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Connections to this schema; {@link #openConnections()} says how many are not closed yet. */
    DataSource dataSource() {
        return counting;
    }

    int openConnections() {
        return open.get();
    }

    /** A plain connection to this schema, not counted. */
    Connection connect() throws SQLException {
        return raw.getConnection();
    }

    void execute(String sql) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    long count(String sqlWhere) throws SQLException {
        return queryLong("SELECT count(*) FROM warehouse_listings" + (sqlWhere.isEmpty() ? "" : " WHERE " + sqlWhere));
    }

    long queryLong(String sql) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getLong(1);
        }
    }

    /** Every row of the query, each as its columns' text (null as null), for exact comparisons. */
    List<List<String>> rows(String sql) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            ResultSetMetaData meta = r.getMetaData();
            List<List<String>> rows = new ArrayList<>();
            while (r.next()) {
                List<String> row = new ArrayList<>();
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    row.add(r.getString(i));
                }
                rows.add(row);
            }
            return rows;
        }
    }

    /** The whole table, every column, in key order. */
    List<List<String>> snapshot() throws SQLException {
        return rows("SELECT * FROM warehouse_listings ORDER BY tenant_id, marketplace, sku");
    }

    /** One tenant's rows, every column, in key order. */
    List<List<String>> snapshot(String tenant) throws SQLException {
        return rows("SELECT * FROM warehouse_listings WHERE tenant_id = '" + tenant + "' ORDER BY marketplace, sku");
    }

    @Override
    public void close() throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA " + name + " CASCADE");
        }
    }

    private final class CountingDataSource implements DataSource {

        @Override
        public Connection getConnection() throws SQLException {
            Connection real = raw.getConnection();
            open.incrementAndGet();
            boolean[] closed = {false};
            return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
                    new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                        if (method.getName().equals("close") && !closed[0]) {
                            closed[0] = true;
                            open.decrementAndGet();
                        }
                        try {
                            return method.invoke(real, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        }

        @Override
        public Connection getConnection(String username, String password) throws SQLException {
            throw new SQLFeatureNotSupportedException();
        }

        @Override
        public PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(PrintWriter out) {
        }

        @Override
        public void setLoginTimeout(int seconds) {
        }

        @Override
        public int getLoginTimeout() {
            return 0;
        }

        @Override
        public Logger getParentLogger() throws SQLFeatureNotSupportedException {
            throw new SQLFeatureNotSupportedException();
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws SQLException {
            throw new SQLException("not a wrapper");
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) {
            return false;
        }
    }
}
