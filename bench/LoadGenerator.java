import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * W1's load generator: POSTs N small csv_validation jobs to a running Conveyor as fast as it accepts them,
 * from its own process, over C kept-alive HTTP/1.1 connections (one worker thread per connection).
 *
 * The connections are plain sockets (Connection, below), not the JDK's HttpClient: on this 2-core machine the JDK
 * client took about 1.3 ms of CPU a request (its selector thread, futures and header maps), as much as the
 * service's own request handling, and every millisecond it takes is one the service under test does not get.
 * A request here is one write of bytes built before it is sent, and an answer one read of its status line, headers
 * and body (Content-Length or chunked; "Connection: close" is honoured, and a connection idle for a few seconds is
 * opened again rather than trusted).
 * Run by bench/run with Java's source launcher; no dependencies:
 *
 *   CONVEYOR_ADMIN_KEY=... java bench/LoadGenerator.java --url http://localhost:8080 --jobs 10000 --concurrency 32 --tag bench-w1
 *       [--batch 500] [--rate 1000]
 *
 * With --batch N the same jobs go N to a request through POST /jobs/batch (a JSON array; the last request may
 * hold fewer); latencies are then per request, and failed counts the jobs of the requests that failed. Without
 * it (the default) every job is its own POST /jobs, as before.
 *
 * With --rate R the load is paced instead (open loop): R jobs a second are offered, request k planned at
 * start + k x (jobs per request) / R whatever became of the requests before it, so the service is measured at a fixed
 * load rather than only at saturation. Requests are sent asynchronously, at most C (--concurrency) in flight; when
 * that many are still unanswered the next one waits, and its latency still counts from its planned time, so a
 * service that falls behind shows it in the latencies instead of slowing the load down (no coordinated omission).
 * Latencies are then planned time -> answer; service_lat_* are send -> answer; late_requests counts the requests
 * sent more than 10 ms after their planned time. Works with and without --batch.
 *
 * Every request sends 'Authorization: Bearer <key>': the key of --key, else of the environment variable
 * CONVEYOR_ADMIN_KEY (bench/run uses the variable, so the key is not on a command line that ps shows). Any key
 * that may submit jobs (submitter or above) will do.
 *
 * Every job carries correlation_id = tag, so the harness finds exactly these jobs in the database. Each
 * validates a 10-row CSV with 3 invalid rows (as the peer's W1 does), so each should end PARTIAL_SUCCESS
 * with 7 valid rows. Jobs are spread over MARKETPLACES x CATEGORIES listing keys, so a keyed backend
 * (Kafka's partition key) sees traffic from many listings, not one.
 *
 * The last line on stdout is key=value pairs for the harness; progress and errors go to stderr.
 */
public final class LoadGenerator {

    private static final String[] MARKETPLACES = {"amazon", "shopee", "magalu", "ebay", "etsy"};
    private static final String[] CATEGORIES = {"toys", "books", "home", "garden", "sports", "beauty", "auto", "pets"};

    public static void main(String[] args) throws Exception {
        String url = option(args, "--url", "http://localhost:8080");
        int jobs = Integer.parseInt(option(args, "--jobs", "10000"));
        int concurrency = Integer.parseInt(option(args, "--concurrency", "32"));
        String tag = option(args, "--tag", "bench-w1");
        int batch = Integer.parseInt(option(args, "--batch", "0"));
        if (batch < 0) {
            System.err.println("load generator: --batch must be 1 or more (0 or absent: one job a request)");
            System.exit(2);
        }
        double rate = Double.parseDouble(option(args, "--rate", "0"));
        if (rate < 0 || Double.isNaN(rate) || Double.isInfinite(rate)) {
            System.err.println("load generator: --rate must be jobs a second above 0 (0 or absent: as fast as accepted)");
            System.exit(2);
        }
        int perRequest = Math.max(batch, 1);
        int requests = (jobs + perRequest - 1) / perRequest;
        String key = option(args, "--key", System.getenv("CONVEYOR_ADMIN_KEY"));
        if (key == null || key.isBlank()) {
            System.err.println("load generator: no API key: pass --key <key> or set CONVEYOR_ADMIN_KEY");
            System.exit(2);
        }
        String authorization = "Bearer " + key.trim();

        // One connection a sender (closed loop), or a pool of `concurrency` connections that the paced requests
        // take turns on: at most `concurrency` connections open, each kept alive between requests.
        URI base = URI.create(url);
        String path = batch > 0 ? "/jobs/batch" : "/jobs";
        Requests make = i -> {
            int count = Math.min(perRequest, jobs - i * perRequest);
            return Connection.request(base, "POST", path, authorization,
                    batch > 0 ? batchBody(i * perRequest, count, tag) : body(i, tag));
        };
        Run run = new Run(requests);
        BlockingQueue<Connection> pool = new ArrayBlockingQueue<>(concurrency);
        for (int c = 0; c < concurrency; c++) {
            pool.add(new Connection(base));
        }
        if (rate > 0) {
            // A cold client (classes loading, first connections) would make the first planned requests late and
            // put the load generator's start-up into the service's latencies: open every connection with a read,
            // and warm the code with a few more.
            warmUp(pool, Connection.request(base, "GET", "/jobs?limit=1", authorization, null));
        }
        long cpuBefore = processCpuNanos();
        long start = System.nanoTime();
        if (rate > 0) {
            paced(pool, make, run, jobs, perRequest, batch, rate);
        } else {
            closedLoop(pool, make, run, jobs, perRequest, batch);
        }
        pool.forEach(Connection::close);
        double seconds = (System.nanoTime() - start) / 1e9;
        double cpuSeconds = (processCpuNanos() - cpuBefore) / 1e9;

        long[] sorted = run.latencyNanos.clone();
        Arrays.sort(sorted);
        String batchFields = batch > 0 ? String.format(Locale.ROOT, " batch=%d requests=%d request_rate=%.1f",
                batch, requests, requests / seconds) : "";
        String pacedFields = "";
        if (rate > 0) {
            long[] service = run.serviceNanos.clone();
            Arrays.sort(service);
            pacedFields = String.format(Locale.ROOT, " rate=%.1f late_requests=%d send_lag_max_ms=%.2f "
                            + "service_lat_p50_ms=%.2f service_lat_p99_ms=%.2f",
                    rate, run.late.get(), run.maxLagNanos.get() / 1e6, percentile(service, 0.50),
                    percentile(service, 0.99));
        }
        System.out.println(String.format(Locale.ROOT,
                "submitted=%d failed=%d concurrency=%d submit_s=%.3f submit_rate=%.1f lat_p50_ms=%.2f "
                        + "lat_p95_ms=%.2f lat_p99_ms=%.2f lat_max_ms=%.2f client_cpu_s=%.2f "
                        + "first_submit_ms=%d last_answer_ms=%d",
                jobs, run.failures.get(), concurrency, seconds, jobs / seconds, percentile(sorted, 0.50),
                percentile(sorted, 0.95), percentile(sorted, 0.99), sorted[sorted.length - 1] / 1e6, cpuSeconds,
                run.firstSubmitMillis.get(), run.lastAnswerMillis.get()) + batchFields + pacedFields);
        System.exit(run.failures.get() == 0 ? 0 : 1);
    }

    /** Request i (of the jobs i x per-request onwards), as the bytes sent on the connection. */
    private interface Requests {
        byte[] request(int i);
    }

    /** A status and a body, read off a connection; or, when the exchange failed, the failure (status 0). */
    private record Answer(int status, String body, Exception failure) {
    }

    /**
     * One kept-alive HTTP/1.1 connection on a plain socket, used by one thread at a time: writes a whole request,
     * reads its answer. Opened on first use, and again after the service said "Connection: close" (Tomcat does
     * after 100 requests on a connection), after an error, or after IDLE_NANOS unused, so a connection the
     * service may have timed out is never written to.
     */
    private static final class Connection {
        private static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(5);
        private static final int TIMEOUT_MILLIS = 60_000;

        private final String host;
        private final int port;
        private Socket socket;
        private InputStream in;
        private OutputStream out;
        private long lastUsed;

        Connection(URI base) {
            host = base.getHost();
            port = base.getPort() < 0 ? 80 : base.getPort();
        }

        /** The bytes of one request: a request line, its headers, and a JSON body when there is one. */
        static byte[] request(URI base, String method, String path, String authorization, String body) {
            byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            String head = method + " " + path + " HTTP/1.1\r\n"
                    + "Host: " + base.getHost() + (base.getPort() < 0 ? "" : ":" + base.getPort()) + "\r\n"
                    + "Authorization: " + authorization + "\r\n"
                    + "Accept: application/json\r\n"
                    + (body == null ? "" : "Content-Type: application/json\r\nContent-Length: " + content.length + "\r\n")
                    + "\r\n";
            byte[] headBytes = head.getBytes(StandardCharsets.ISO_8859_1);
            byte[] bytes = Arrays.copyOf(headBytes, headBytes.length + content.length);
            System.arraycopy(content, 0, bytes, headBytes.length, content.length);
            return bytes;
        }

        /** The answer to the request, or the exchange's failure as an answer (never throws). */
        Answer answerOrFailure(byte[] request) {
            try {
                return exchange(request);
            } catch (Exception e) {
                return new Answer(0, "", e);
            }
        }

        Answer exchange(byte[] request) throws IOException {
            if (socket != null && System.nanoTime() - lastUsed > IDLE_NANOS) {
                close();
            }
            if (socket == null) {
                socket = new Socket();
                socket.setTcpNoDelay(true);
                socket.connect(new InetSocketAddress(host, port), TIMEOUT_MILLIS);
                socket.setSoTimeout(TIMEOUT_MILLIS);
                in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
                out = socket.getOutputStream();
            }
            try {
                out.write(request);
                out.flush();
                Answer answer = read();
                lastUsed = System.nanoTime();
                return answer;
            } catch (IOException | RuntimeException e) {
                close();
                throw e;
            }
        }

        private Answer read() throws IOException {
            String statusLine = line();
            if (!statusLine.startsWith("HTTP/1.") || statusLine.length() < 12) {
                throw new IOException("not an HTTP/1.x status line: " + statusLine);
            }
            int status = Integer.parseInt(statusLine.substring(9, 12));
            long length = -1;
            boolean chunked = false;
            boolean closeAfter = false;
            for (String header = line(); !header.isEmpty(); header = line()) {
                int colon = header.indexOf(':');
                if (colon < 0) {
                    continue;
                }
                String name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = header.substring(colon + 1).trim().toLowerCase(Locale.ROOT);
                switch (name) {
                    case "content-length" -> length = Long.parseLong(value);
                    case "transfer-encoding" -> chunked = value.contains("chunked");
                    case "connection" -> closeAfter = value.contains("close");
                    default -> { }
                }
            }
            byte[] body;
            if (chunked) {
                ByteArrayOutputStream chunks = new ByteArrayOutputStream();
                for (int size = chunkSize(line()); size > 0; size = chunkSize(line())) {
                    chunks.write(exactly(size));
                    line();
                }
                while (!line().isEmpty()) {
                    // trailers, if any
                }
                body = chunks.toByteArray();
            } else if (length >= 0) {
                body = exactly(Math.toIntExact(length));
            } else {
                body = in.readAllBytes();
                closeAfter = true;
            }
            if (closeAfter) {
                close();
            }
            return new Answer(status, new String(body, StandardCharsets.UTF_8), null);
        }

        private static int chunkSize(String line) {
            int extension = line.indexOf(';');
            return Integer.parseInt((extension < 0 ? line : line.substring(0, extension)).trim(), 16);
        }

        private byte[] exactly(int length) throws IOException {
            byte[] bytes = in.readNBytes(length);
            if (bytes.length != length) {
                throw new IOException("connection closed " + bytes.length + " bytes into a body of " + length);
            }
            return bytes;
        }

        /** A line without its CRLF; the connection closing before its end is an error. */
        private String line() throws IOException {
            StringBuilder line = new StringBuilder(64);
            for (int c = in.read(); c != '\n'; c = in.read()) {
                if (c < 0) {
                    throw new IOException("connection closed by the service in the middle of an answer");
                }
                if (c != '\r') {
                    line.append((char) c);
                }
            }
            return line.toString();
        }

        void close() {
            if (socket != null) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // closing a connection that is done with: nothing to do
                }
                socket = null;
            }
        }
    }

    /** What the senders record, request by request. */
    private static final class Run {
        final long[] latencyNanos;
        final long[] serviceNanos;
        final AtomicInteger failures = new AtomicInteger();
        final AtomicInteger late = new AtomicInteger();
        final AtomicLong maxLagNanos = new AtomicLong();
        final AtomicLong firstSubmitMillis = new AtomicLong(Long.MAX_VALUE);
        final AtomicLong lastAnswerMillis = new AtomicLong();

        Run(int requests) {
            latencyNanos = new long[requests];
            serviceNanos = new long[requests];
        }

        void answered(int i, int count, int batch, Answer answer) {
            if (answer.failure() != null) {
                fail(failures, count, what(batch, i) + ": " + answer.failure());
            } else if (answer.status() != 202) {
                fail(failures, count, what(batch, i) + ": HTTP " + answer.status() + " " + answer.body());
            }
            lastAnswerMillis.accumulateAndGet(System.currentTimeMillis(), Math::max);
        }
    }

    private static void warmUp(BlockingQueue<Connection> pool, byte[] read) {
        try {
            for (Connection connection : pool) {
                connection.exchange(read);
            }
            for (int reads = pool.size(); reads < 20; reads++) {
                pool.peek().exchange(read);
            }
        } catch (IOException e) {
            System.err.println("load generator: warm-up read failed: " + e);
        }
    }

    /** As fast as the service answers: each of C threads sends its next request when its last one is answered. */
    private static void closedLoop(BlockingQueue<Connection> pool, Requests make, Run run, int jobs, int perRequest,
                                   int batch) throws InterruptedException {
        int requests = run.latencyNanos.length;
        AtomicInteger next = new AtomicInteger();
        ExecutorService senders = Executors.newFixedThreadPool(pool.size());
        for (Connection connection : pool) {
            senders.submit(() -> {
                for (int i = next.getAndIncrement(); i < requests; i = next.getAndIncrement()) {
                    int count = Math.min(perRequest, jobs - i * perRequest);
                    byte[] request = make.request(i);
                    run.firstSubmitMillis.accumulateAndGet(System.currentTimeMillis(), Math::min);
                    long sent = System.nanoTime();
                    Answer answer = connection.answerOrFailure(request);
                    run.latencyNanos[i] = System.nanoTime() - sent;
                    run.serviceNanos[i] = run.latencyNanos[i];
                    run.answered(i, count, batch, answer);
                }
                return null;
            });
        }
        senders.shutdown();
        if (!senders.awaitTermination(1, TimeUnit.HOURS)) {
            throw new IllegalStateException("submission did not finish within an hour");
        }
    }

    /**
     * Open loop at {@code rate} jobs a second: request k is planned at start + k x perRequest / rate and sent then
     * (or as soon as one of the C in-flight slots frees, if all are taken); its latency counts from the plan.
     */
    private static void paced(BlockingQueue<Connection> pool, Requests make, Run run, int jobs, int perRequest,
                              int batch, double rate) throws InterruptedException {
        int requests = run.latencyNanos.length;
        double nanosPerRequest = perRequest * 1e9 / rate;
        ExecutorService senders = Executors.newFixedThreadPool(pool.size());
        CountDownLatch answered = new CountDownLatch(requests);
        long lateNanos = TimeUnit.MILLISECONDS.toNanos(10);
        long start = System.nanoTime();
        for (int k = 0; k < requests; k++) {
            int i = k;
            int count = Math.min(perRequest, jobs - i * perRequest);
            byte[] request = make.request(i);     // built before its time, so building it is not in the lag
            long planned = start + Math.round(i * nanosPerRequest);
            for (long wait = planned - System.nanoTime(); wait > 0; wait = planned - System.nanoTime()) {
                LockSupport.parkNanos(wait);
            }
            Connection connection = pool.take();     // one of the C in flight: waits while all are
            long sent = System.nanoTime();
            long lag = sent - planned;
            run.maxLagNanos.accumulateAndGet(lag, Math::max);
            if (lag > lateNanos) {
                run.late.incrementAndGet();
            }
            run.firstSubmitMillis.accumulateAndGet(System.currentTimeMillis(), Math::min);
            senders.execute(() -> {
                Answer answer = connection.answerOrFailure(request);
                long now = System.nanoTime();
                run.latencyNanos[i] = now - planned;
                run.serviceNanos[i] = now - sent;
                pool.add(connection);
                run.answered(i, count, batch, answer);
                answered.countDown();
            });
        }
        if (!answered.await(1, TimeUnit.HOURS)) {
            throw new IllegalStateException("submission did not finish within an hour");
        }
        senders.shutdown();
    }

    /** A 10-row CSV, 3 rows invalid (empty title, negative price, a quantity that is not an integer). */
    static String body(int i, String tag) {
        String marketplace = MARKETPLACES[i % MARKETPLACES.length];
        String category = CATEGORIES[(i / MARKETPLACES.length) % CATEGORIES.length];
        String sku = "J" + i + "-";
        String csv = "sku,title,price,quantity\\n"
                + sku + "01,Blue widget,19.99,10\\n"
                + sku + "02,Red widget,5.00,0\\n"
                + sku + "03,Gadget pro,149.50,3\\n"
                + sku + "04,,12.00,4\\n"
                + sku + "05,Cable 2m,3.49,250\\n"
                + sku + "06,Cable 5m,-4.99,100\\n"
                + sku + "07,Adapter,7.25,12\\n"
                + sku + "08,Charger,24.00,x7\\n"
                + sku + "09,Battery pack,39.90,18\\n"
                + sku + "10,Lamp,15.00,6\\n";
        return "{\"type\":\"csv_validation\",\"correlation_id\":\"" + tag + "\",\"payload\":{\"marketplace\":\""
                + marketplace + "\",\"category\":\"" + category + "\",\"csv\":\"" + csv + "\"}}";
    }

    /** Jobs {@code first} to {@code first + count - 1} as one JSON array for POST /jobs/batch. */
    static String batchBody(int first, int count, String tag) {
        StringBuilder body = new StringBuilder("[");
        for (int j = first; j < first + count; j++) {
            body.append(j == first ? "" : ",").append(body(j, tag));
        }
        return body.append(']').toString();
    }

    private static String what(int batch, int request) {
        return batch > 0 ? "batch " + request : "job " + request;
    }

    private static void fail(AtomicInteger failures, int jobs, String message) {
        // the first few are enough to see what went wrong; the count says how many
        if (failures.addAndGet(jobs) - jobs < 5) {
            System.err.println("load generator: " + message);
        }
    }

    private static double percentile(long[] sortedNanos, double p) {
        double rank = (sortedNanos.length - 1) * p;
        int low = (int) Math.floor(rank);
        int high = Math.min(low + 1, sortedNanos.length - 1);
        return (sortedNanos[low] + (sortedNanos[high] - sortedNanos[low]) * (rank - low)) / 1e6;
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static String option(String[] args, String name, String fallback) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return fallback;
    }
}
