package dev.conveyor;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveyor.support.Api;
import dev.conveyor.support.CsvJobs;
import dev.conveyor.support.ServiceProcess;
import dev.conveyor.support.TestKeys;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * PostgreSQL itself restarted (a fast shutdown, as {@code systemctl restart postgresql} does, then a start on the
 * same data directory and port) in the middle of a W1-sized load: the packaged service in a process of its own,
 * clients submitting csv_validation jobs through POST /jobs and POST /jobs/batch, the set-based writes batching
 * the jobs' state changes (docs/architecture.md, "Set-based writes"). Every accepted job must end exactly once — one final status, one terminal event, no job
 * lost, none made twice by a client's retry — and the service must come back by itself: once PostgreSQL is up
 * again it answers readiness, takes new jobs and drains the backlog, without being restarted.
 * <p>
 * The PostgreSQL is the test's own (zonky's embedded binaries, so no server need be installed), because the test
 * must stop it: the machine's shared server is never touched.
 * <p>
 * What the outage tests: a set of writes cut by the shutdown fails as a whole (a lost connection is not split item
 * by item); the worker route's step that needed the database — a claim, an outcome — is redelivered with backoff
 * while it holds its message (routes/workers.camel.yaml, database-unreachable), so no claim is dropped with its
 * message consumed and no finished attempt loses its outcome; intake answers 5xx or waits in the pool, and the
 * clients resend with the same idempotency keys.
 */
@Tag("slow") // restarts PostgreSQL under running services
class PostgresRestartIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The clients' connections: HTTP/1.1 kept alive, as bench/LoadGenerator's. */
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private static final String TAG = "pg-restart";

    /**
     * W1's jobs (a 10-row CSV with 3 invalid rows, so each ends PARTIAL_SUCCESS with 7 valid rows), half of them in
     * batches of BATCH_SIZE and half one by one, each client thread sending one kind. Batches are accepted faster
     * than jobs run, so they build a backlog; the single jobs take longer to send and are still being sent when
     * PostgreSQL goes away.
     */
    private static final int BATCHES = 30;
    private static final int BATCH_SIZE = 50;
    private static final int SINGLES = 1500;
    private static final int JOBS = BATCHES * BATCH_SIZE + SINGLES;
    private static final int BATCH_CLIENTS = 2;
    private static final int SINGLE_CLIENTS = 4;
    /** PostgreSQL is stopped once this many jobs have finished: the rest are queued, running or not yet sent. */
    private static final int FINISHED_BEFORE_RESTART = JOBS / 10;
    /**
     * How long a client waits for an answer before it sends the request again: longer than the service takes
     * under load, shorter than the outage, so requests sent while PostgreSQL is down are repeated while the
     * first is still waiting in the service.
     */
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(3);
    /** How long PostgreSQL stays down at least: long enough for every part of the service to run into it. */
    private static final Duration OUTAGE = Duration.ofSeconds(5);
    /**
     * After the restart, the service is taken to be stuck once no job has finished for this long: longer than a
     * lease (5 s), the pool's reconnection (up to 5 s) and a retry's backoff, far shorter than redispatch-stale's
     * 300 s, so a job that only that safety net would recover fails the test.
     */
    private static final Duration STALL = Duration.ofSeconds(60);

    private static final List<String> FINAL = List.of("SUCCESS", "PARTIAL_SUCCESS", "FAILED", "DEAD_LETTERED",
            "CANCELLED");
    private static final List<String> TERMINAL_EVENTS = List.of("job.completed", "job.failed", "job.dead_lettered",
            "job.cancelled");

    private static final String[] MARKETPLACES = {"amazon", "shopee", "magalu", "ebay", "etsy"};
    private static final String[] CATEGORIES = {"toys", "books", "home", "garden", "sports", "beauty", "auto", "pets"};

    /** idempotency key -> the job id the service answered for it (the same on every retry, or it is a bug). */
    private final Map<String, String> accepted = new ConcurrentHashMap<>();
    /** What a client saw that a correct service never answers: a 4xx, or a key answered with two job ids. */
    private final Problems problems = new Problems();
    /** Requests refused (5xx, or no connection) and sent again with the same keys. */
    private final AtomicInteger refused = new AtomicInteger();
    /** Requests the client gave up waiting for and sent again with the same keys, the first still on its way. */
    private final AtomicInteger timedOut = new AtomicInteger();

    @Test
    void everyAcceptedJobEndsExactlyOnceAndTheServiceRecoversWhenPostgresRestartsMidLoad() throws Exception {
        Path work = Files.createTempDirectory("conveyor-pg-restart");
        boolean passed = false;
        RestartablePostgres postgres = new RestartablePostgres(work.resolve("pg"), ServiceProcess.freePort());
        postgres.start();
        Map<String, String> env = Map.of(
                "DB_URL", postgres.jdbcUrl(), "DB_USER", "postgres", "DB_PASSWORD", "",
                "DATA_DIR", work.resolve("data").toString(), "INBOX_DIR", work.resolve("inbox").toString(),
                // a job whose worker lost the database mid-attempt is held until its lease runs out; 5 s (not the
                // default 60) keeps the test short, a 10-row job runs for milliseconds. Shorter than the outage, it
                // also lets the reaper take back jobs whose workers are still waiting to record them, so a stale
                // worker's late finish must lose to the job's next attempt without a second terminal event
                "JOB_LEASE_SECONDS", "5", "JOB_REAPER_PERIOD_MS", "500");
        String name = "pg-restart";
        ExecutorService clients = Executors.newFixedThreadPool(BATCH_CLIENTS + SINGLE_CLIENTS);
        int port = ServiceProcess.freePort();
        try (ServiceProcess service = ServiceProcess.start(name, port, env)) {
            Api api = service.api();
            URI base = URI.create("http://localhost:" + port);
            List<Future<?>> senders = new ArrayList<>();
            senders.addAll(sendAll(clients, BATCH_CLIENTS, base, batches()));
            senders.addAll(sendAll(clients, SINGLE_CLIENTS, base, singles()));
            clients.shutdown();

            await("jobs finished before the restart").atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(100))
                    .until(() -> postgres.count("SELECT count(*) FROM jobs WHERE correlation_id = '" + TAG
                            + "' AND status IN " + sqlList(FINAL)) >= FINISHED_BEFORE_RESTART);
            long unfinished = postgres.count("SELECT count(*) FROM jobs WHERE correlation_id = '" + TAG
                    + "' AND status NOT IN " + sqlList(FINAL));
            int acceptedBefore = accepted.size();
            long logMark = Files.size(ServiceProcess.log(name));

            postgres.stop();
            // down for OUTAGE at least, and until the service has run into it: its pool (conveyor-db) reports a
            // broken or refused connection
            await("the service notices PostgreSQL is gone").pollDelay(OUTAGE).atMost(Duration.ofMinutes(1))
                    .pollInterval(Duration.ofMillis(200)).until(() -> logSince(name, logMark).contains("conveyor-db"));
            postgres.start();

            System.out.printf("pg-restart: PostgreSQL restarted with %d of %d jobs unfinished and %d accepted%n",
                    unfinished, JOBS, acceptedBefore);
            assertThat(unfinished).as("jobs were queued or running when PostgreSQL stopped").isPositive();

            assertThat(clients.awaitTermination(3, TimeUnit.MINUTES)).as("every client got its jobs accepted")
                    .isTrue();
            for (Future<?> sender : senders) {
                sender.get();                                   // a client's failure, with its own message
            }
            System.out.printf("pg-restart: requests sent again: %d refused (5xx or no connection), %d timed out%n",
                    refused.get(), timedOut.get());
            assertThat(refused.get() + timedOut.get()).as("the outage reached the clients: requests were sent again")
                    .isPositive();
            assertThat(problems.all()).as("answers no correct service gives").isEmpty();
            assertThat(accepted).as("one accepted job per idempotency key").hasSize(JOBS);

            awaitAllFinal(postgres);

            // recovered without a restart of its own: ready, and a new job runs to its end
            await("readiness after the restart").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200))
                    .ignoreExceptions().until(() -> api.get("/actuator/health/readiness").statusCode() == 200);
            String late = api.submit(CsvJobs.inline(CsvJobs.TWO_BAD_ROWS));
            assertThat(api.awaitFinished(late, Duration.ofSeconds(60)).get("status").asText())
                    .isEqualTo("PARTIAL_SUCCESS");

            System.out.printf("pg-restart: %d jobs ran more than once%n", postgres.count(
                    "SELECT count(*) FROM jobs WHERE correlation_id = '" + TAG + "' AND retry_count > 0"));
            assertEndedExactlyOnce(postgres);
            passed = true;
        } finally {
            clients.shutdownNow();
            postgres.stop();
            if (passed) {
                deleteTree(work);                               // 100 MB a run; kept when it failed, to look into
            }
        }
    }

    /** Exactly once, from the table: the accepted ids are the tag's jobs, one per key, each ended once. */
    private void assertEndedExactlyOnce(RestartablePostgres postgres) throws SQLException {
        String tagged = "correlation_id = '" + TAG + "'";
        assertThat(postgres.pairs("SELECT idempotency_key, job_id FROM jobs WHERE " + tagged))
                .as("the jobs in the table are the accepted ones, one per key")
                .containsExactlyInAnyOrderEntriesOf(accepted);
        assertThat(postgres.pairs("SELECT idempotency_key, count(*)::text FROM jobs WHERE idempotency_key IN "
                + "(SELECT idempotency_key FROM jobs WHERE " + tagged + ") GROUP BY idempotency_key "
                + "HAVING count(*) > 1")).as("keys naming two jobs").isEmpty();
        assertThat(postgres.pairs("SELECT j.job_id, j.status || ' with ' || count(e.event_id) || ' terminal events'"
                + " FROM jobs j LEFT JOIN job_events e ON e.job_id = j.job_id AND e.event_type IN "
                + sqlList(TERMINAL_EVENTS) + " WHERE j." + tagged + " GROUP BY j.job_id, j.status"
                + " HAVING count(e.event_id) <> 1 OR j.status NOT IN " + sqlList(FINAL)))
                .as("jobs not ended exactly once (job -> status and terminal events)").isEmpty();
        assertThat(postgres.pairs("SELECT j.job_id, count(e.event_id)::text FROM jobs j LEFT JOIN job_events e"
                + " ON e.job_id = j.job_id AND e.event_type = 'job.queued' WHERE j." + tagged
                + " GROUP BY j.job_id HAVING count(e.event_id) <> 1")).as("jobs queued other than once").isEmpty();
        // a restart of the database is no reason for a job to end otherwise than W1's jobs end
        assertThat(postgres.pairs("SELECT status || coalesce(' ' || (result->>'valid_rows'), ''), count(*)::text"
                + " FROM jobs WHERE " + tagged + " GROUP BY 1")).as("outcomes (status and valid rows -> jobs)")
                .isEqualTo(Map.of("PARTIAL_SUCCESS 7", Integer.toString(JOBS)));
    }

    /**
     * Waits for every job to reach a final status for as long as jobs keep finishing (a busy machine drains slowly,
     * a stuck service not at all); once none has finished for STALL, says which did not and where each stands.
     */
    private static void awaitAllFinal(RestartablePostgres postgres) throws Exception {
        String unfinished = "SELECT count(*) FROM jobs WHERE correlation_id = '" + TAG + "' AND status NOT IN "
                + sqlList(FINAL);
        Progress progress = new Progress();
        try {
            await("every job final").atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(500))
                    .failFast("no job finished for " + STALL.toSeconds() + " s", () -> progress.stalledFor(STALL))
                    .until(() -> progress.left(postgres.count(unfinished)) == 0);
        } catch (ConditionTimeoutException | TerminalFailureException e) {
            Map<String, String> byStatus = postgres.pairs("SELECT status || CASE WHEN status IN ('QUEUED', "
                    + "'RETRYING') THEN CASE WHEN dispatched_at IS NULL THEN ' (not dispatched)' ELSE "
                    + "' (dispatched, unclaimed)' END ELSE '' END, count(*)::text FROM jobs WHERE correlation_id = '"
                    + TAG + "' GROUP BY 1");
            Map<String, String> stuck = postgres.pairs("SELECT j.job_id, j.status || ' attempts=' || j.attempts"
                    + " || ' dispatched_at=' || coalesce(j.dispatched_at::text, '-') || ' lease_until='"
                    + " || coalesce(j.lease_until::text, '-') || ' claimed_by=' || coalesce(j.claimed_by, '-')"
                    + " || ' events=' || coalesce((SELECT string_agg(e.event_type, ',' ORDER BY e.created_at)"
                    + " FROM job_events e WHERE e.job_id = j.job_id), '') FROM jobs j WHERE j.correlation_id = '"
                    + TAG + "' AND j.status NOT IN " + sqlList(FINAL) + " ORDER BY j.created_at LIMIT 10");
            throw new AssertionError("not every job reached a final status after the restart; by status "
                    + byStatus + "; the first unfinished: " + stuck, e);
        }
    }

    /**
     * Sends the request until the service accepts it, again and again with the same idempotency keys, as a client
     * with a timeout does: a request that got no answer in time is sent again while the first may still be on its
     * way (the timeout doubling from CLIENT_TIMEOUT each time, so a slow service is not buried in repeats).
     */
    private void sendUntilAccepted(URI base, Request request) {
        AtomicInteger attempts = new AtomicInteger();
        HttpResponse<String> answer = await("request " + request.keys().get(0)).atMost(Duration.ofMinutes(3))
                .pollInSameThread().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(200))
                .until(() -> send(base, request, CLIENT_TIMEOUT.multipliedBy(1L << Math.min(4,
                        attempts.getAndIncrement()))), response -> response != null);
        JsonNode body = Api.json(answer);
        List<String> ids = new ArrayList<>();
        if (request.batch()) {
            body.get("jobs").forEach(job -> ids.add(job.get("job_id").asText()));
        } else {
            ids.add(body.get("job_id").asText());
        }
        if (ids.size() != request.keys().size()) {
            problems.add(request.path() + " answered " + ids.size() + " jobs for " + request.keys().size());
            return;
        }
        for (int i = 0; i < ids.size(); i++) {
            String earlier = accepted.putIfAbsent(request.keys().get(i), ids.get(i));
            if (earlier != null && !earlier.equals(ids.get(i))) {
                problems.add("key " + request.keys().get(i) + " answered " + earlier + " and " + ids.get(i));
            }
        }
    }

    /** One attempt: the 202, or null when it is to be sent again (5xx, no connection, no answer in time). */
    private HttpResponse<String> send(URI base, Request request, Duration timeout) throws InterruptedException {
        HttpRequest http = HttpRequest.newBuilder(base.resolve(request.path())).timeout(timeout)
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + TestKeys.ADMIN)
                .POST(HttpRequest.BodyPublishers.ofString(request.body())).build();
        HttpResponse<String> response;
        try {
            response = HTTP.send(http, HttpResponse.BodyHandlers.ofString());
        } catch (HttpTimeoutException e) {
            timedOut.incrementAndGet();
            return null;
        } catch (IOException e) {
            refused.incrementAndGet();
            return null;
        }
        if (response.statusCode() >= 500) {
            refused.incrementAndGet();
            return null;
        }
        if (response.statusCode() != 202) {
            problems.add(request.path() + " " + request.keys().get(0) + ": HTTP " + response.statusCode() + " "
                    + response.body());
            throw new AssertionError("HTTP " + response.statusCode() + ": " + response.body());
        }
        return response;
    }

    /** {@code threads} clients sending {@code requests} between them, each request until it is accepted. */
    private List<Future<?>> sendAll(ExecutorService clients, int threads, URI base, List<Request> requests) {
        AtomicInteger next = new AtomicInteger();
        List<Future<?>> senders = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            senders.add(clients.submit(() -> {
                for (int i = next.getAndIncrement(); i < requests.size(); i = next.getAndIncrement()) {
                    sendUntilAccepted(base, requests.get(i));
                }
                return null;
            }));
        }
        return senders;
    }

    /** Jobs 0 to BATCHES x BATCH_SIZE - 1, BATCH_SIZE to a POST /jobs/batch. */
    private static List<Request> batches() {
        List<Request> requests = new ArrayList<>();
        for (int b = 0; b < BATCHES; b++) {
            ArrayNode batch = JSON.createArrayNode();
            List<String> keys = new ArrayList<>();
            for (int job = b * BATCH_SIZE; job < (b + 1) * BATCH_SIZE; job++) {
                batch.add(job(job));
                keys.add(key(job));
            }
            requests.add(new Request("/jobs/batch", batch.toString(), keys));
        }
        return requests;
    }

    /** The other jobs, each its own POST /jobs. */
    private static List<Request> singles() {
        List<Request> requests = new ArrayList<>();
        for (int job = BATCHES * BATCH_SIZE; job < JOBS; job++) {
            requests.add(new Request("/jobs", job(job).toString(), List.of(key(job))));
        }
        return requests;
    }

    private static String key(int job) {
        return TAG + "-" + job;
    }

    /** As bench/LoadGenerator's W1 job: 10 rows, 3 invalid (empty title, negative price, quantity x7). */
    private static ObjectNode job(int i) {
        String sku = "J" + i + "-";
        String csv = "sku,title,price,quantity\n"
                + sku + "01,Blue widget,19.99,10\n"
                + sku + "02,Red widget,5.00,0\n"
                + sku + "03,Gadget pro,149.50,3\n"
                + sku + "04,,12.00,4\n"
                + sku + "05,Cable 2m,3.49,250\n"
                + sku + "06,Cable 5m,-4.99,100\n"
                + sku + "07,Adapter,7.25,12\n"
                + sku + "08,Charger,24.00,x7\n"
                + sku + "09,Battery pack,39.90,18\n"
                + sku + "10,Lamp,15.00,6\n";
        ObjectNode job = JSON.createObjectNode().put("type", "csv_validation").put("correlation_id", TAG)
                .put("idempotency_key", key(i));
        job.putObject("payload").put("marketplace", MARKETPLACES[i % MARKETPLACES.length])
                .put("category", CATEGORIES[(i / MARKETPLACES.length) % CATEGORIES.length]).put("csv", csv);
        return job;
    }

    private static String logSince(String service, long offset) throws IOException {
        byte[] all = Files.readAllBytes(ServiceProcess.log(service));
        return new String(all, (int) Math.min(offset, all.length), (int) Math.max(0, all.length - offset),
                StandardCharsets.UTF_8);
    }

    private static void deleteTree(Path root) throws IOException {
        try (java.util.stream.Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    private static String sqlList(List<String> values) {
        return values.stream().map(v -> "'" + v + "'").collect(java.util.stream.Collectors.joining(", ", "(", ")"));
    }

    /** How many jobs are left, and since when that number has not gone down. */
    private static final class Progress {
        private long left = Long.MAX_VALUE;
        private long since = System.nanoTime();

        synchronized long left(long now) {
            if (now < left) {
                left = now;
                since = System.nanoTime();
            }
            return now;
        }

        synchronized boolean stalledFor(Duration stall) {
            return System.nanoTime() - since > stall.toNanos();
        }
    }

    /** A request of the load: its path, body and the idempotency keys of its jobs, in order. */
    private record Request(String path, String body, List<String> keys) {
        boolean batch() {
            return path.endsWith("/batch");
        }
    }

    /** Problems the client threads saw, for one assertion on the test's thread. */
    private static final class Problems {
        private final ConcurrentLinkedQueue<String> items = new ConcurrentLinkedQueue<>();

        void add(String problem) {
            items.add(problem);
        }

        List<String> all() {
            return List.copyOf(items);
        }
    }

    /**
     * A PostgreSQL the test can stop and start again: zonky's binaries on a data directory of the test's, on one
     * fixed port, so the service's connection URL stays the same across the restart. Durable as a real server:
     * fsync and synchronous_commit on (zonky turns both off for throw-away databases).
     */
    private static final class RestartablePostgres {
        private final Path dataDir;
        private final int port;
        private EmbeddedPostgres running;

        RestartablePostgres(Path dataDir, int port) {
            this.dataDir = dataDir;
            this.port = port;
        }

        synchronized void start() throws IOException {
            Files.createDirectories(dataDir);
            running = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(false)
                    .setPort(port)
                    .setRegisterShutdownHook(true)
                    .setServerConfig("fsync", "on")
                    .setServerConfig("synchronous_commit", "on")
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .start();
        }

        /** pg_ctl stop -m fast: open transactions are rolled back and every connection is closed. */
        synchronized void stop() throws IOException {
            if (running != null) {
                running.close();
                running = null;
            }
        }

        String jdbcUrl() {
            return "jdbc:postgresql://localhost:" + port + "/postgres";
        }

        long count(String sql) throws SQLException {
            try (Connection connection = DriverManager.getConnection(jdbcUrl(), "postgres", "");
                 Statement statement = connection.createStatement();
                 ResultSet rows = statement.executeQuery(sql)) {
                rows.next();
                return rows.getLong(1);
            }
        }

        /** The first two columns of every row, as text. */
        Map<String, String> pairs(String sql) throws SQLException {
            Map<String, String> pairs = new LinkedHashMap<>();
            try (Connection connection = DriverManager.getConnection(jdbcUrl(), "postgres", "");
                 Statement statement = connection.createStatement();
                 ResultSet rows = statement.executeQuery(sql)) {
                while (rows.next()) {
                    pairs.put(rows.getString(1), rows.getString(2));
                }
            }
            return pairs;
        }
    }
}
