import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * W1's load generator: POSTs N small csv_validation jobs to a running Conveyor as fast as it accepts them,
 * from its own process, over C kept-alive HTTP/1.1 connections (one worker thread per connection).
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

        // The JDK client pools HTTP/1.1 connections and keeps them alive between requests: with one
        // synchronous sender per thread, or at most `concurrency` requests in flight when paced, it holds at most
        // `concurrency` connections open.
        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
        URI target = URI.create(url + (batch > 0 ? "/jobs/batch" : "/jobs"));

        Requests make = i -> {
            int count = Math.min(perRequest, jobs - i * perRequest);
            return HttpRequest.newBuilder(target)
                    .timeout(Duration.ofSeconds(60))
                    .header("Content-Type", "application/json")
                    .header("Authorization", authorization)
                    .POST(HttpRequest.BodyPublishers.ofString(batch > 0 ? batchBody(i * perRequest, count, tag)
                            : body(i, tag)))
                    .build();
        };
        Run run = new Run(requests);
        if (rate > 0) {
            // A cold client (classes loading, first connections) would make the first planned requests late and
            // put the load generator's start-up into the service's latencies: warm it with a few reads first.
            warmUp(client, URI.create(url + "/jobs?limit=1"), authorization);
        }
        long cpuBefore = processCpuNanos();
        long start = System.nanoTime();
        if (rate > 0) {
            paced(client, make, run, jobs, perRequest, batch, rate, concurrency);
        } else {
            closedLoop(client, make, run, jobs, perRequest, batch, concurrency);
        }
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

    /** Request i (of the jobs i x per-request onwards). */
    private interface Requests {
        HttpRequest request(int i);
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

        void answered(int i, int count, int batch, HttpResponse<String> response, Throwable error) {
            if (error != null) {
                fail(failures, count, what(batch, i) + ": " + error);
            } else if (response.statusCode() != 202) {
                fail(failures, count, what(batch, i) + ": HTTP " + response.statusCode() + " " + response.body());
            }
            lastAnswerMillis.accumulateAndGet(System.currentTimeMillis(), Math::max);
        }
    }

    private static void warmUp(HttpClient client, URI read, String authorization) throws InterruptedException {
        for (int i = 0; i < 20; i++) {
            try {
                client.send(HttpRequest.newBuilder(read).header("Authorization", authorization).GET().build(),
                        HttpResponse.BodyHandlers.discarding());
            } catch (java.io.IOException e) {
                System.err.println("load generator: warm-up read failed: " + e);
                return;
            }
        }
    }

    /** As fast as the service answers: each of C threads sends its next request when its last one is answered. */
    private static void closedLoop(HttpClient client, Requests make, Run run, int jobs, int perRequest, int batch,
                                   int concurrency) throws InterruptedException {
        int requests = run.latencyNanos.length;
        AtomicInteger next = new AtomicInteger();
        ExecutorService senders = Executors.newFixedThreadPool(concurrency);
        for (int t = 0; t < concurrency; t++) {
            senders.submit(() -> {
                for (int i = next.getAndIncrement(); i < requests; i = next.getAndIncrement()) {
                    int count = Math.min(perRequest, jobs - i * perRequest);
                    HttpRequest request = make.request(i);
                    run.firstSubmitMillis.accumulateAndGet(System.currentTimeMillis(), Math::min);
                    long sent = System.nanoTime();
                    HttpResponse<String> response = null;
                    Throwable error = null;
                    try {
                        response = client.send(request, HttpResponse.BodyHandlers.ofString());
                    } catch (Exception e) {
                        error = e;
                    }
                    run.latencyNanos[i] = System.nanoTime() - sent;
                    run.serviceNanos[i] = run.latencyNanos[i];
                    run.answered(i, count, batch, response, error);
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
    private static void paced(HttpClient client, Requests make, Run run, int jobs, int perRequest, int batch,
                              double rate, int concurrency) throws InterruptedException {
        int requests = run.latencyNanos.length;
        double nanosPerRequest = perRequest * 1e9 / rate;
        Semaphore inFlight = new Semaphore(concurrency);
        CountDownLatch answered = new CountDownLatch(requests);
        long lateNanos = TimeUnit.MILLISECONDS.toNanos(10);
        long start = System.nanoTime();
        for (int k = 0; k < requests; k++) {
            int i = k;
            int count = Math.min(perRequest, jobs - i * perRequest);
            HttpRequest request = make.request(i);     // built before its time, so building it is not in the lag
            long planned = start + Math.round(i * nanosPerRequest);
            for (long wait = planned - System.nanoTime(); wait > 0; wait = planned - System.nanoTime()) {
                LockSupport.parkNanos(wait);
            }
            inFlight.acquire();
            long sent = System.nanoTime();
            long lag = sent - planned;
            run.maxLagNanos.accumulateAndGet(lag, Math::max);
            if (lag > lateNanos) {
                run.late.incrementAndGet();
            }
            run.firstSubmitMillis.accumulateAndGet(System.currentTimeMillis(), Math::min);
            client.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((response, error) -> {
                long now = System.nanoTime();
                run.latencyNanos[i] = now - planned;
                run.serviceNanos[i] = now - sent;
                inFlight.release();
                run.answered(i, count, batch, response, error);
                answered.countDown();
            });
        }
        if (!answered.await(1, TimeUnit.HOURS)) {
            throw new IllegalStateException("submission did not finish within an hour");
        }
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
