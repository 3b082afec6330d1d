import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The Java half of sandbox/sample-run (run by Java 17's source launcher with only the PostgreSQL JDBC driver on
 * the class path, so it needs no build and no python):
 *
 * <pre>
 *   java -cp postgresql.jar sandbox/SampleRun.java insert &lt;jdbc-url&gt;
 *       inserts one good and one bad job_requests row; prints "&lt;good id&gt; &lt;bad id&gt;"
 *   java -cp postgresql.jar sandbox/SampleRun.java report &lt;jdbc-url&gt; &lt;base-url&gt; &lt;inbox category dir&gt; &lt;timeout s&gt;
 *       waits until everything has settled, prints the tables, checks the expectations (exit 1 on a miss)
 * </pre>
 *
 * The expectations of {@code report} come from the environment (set by sample-run): SR_CLEAN_FILE,
 * SR_CLEAN_ROWS, SR_MIXED_FILE, SR_MIXED_ROWS, SR_MIXED_BAD, SR_MALFORMED (file names separated by '/'),
 * SR_HTTP_JOB, SR_GOOD_REQUEST, SR_BAD_REQUEST. SR_API_KEY is the admin key (tenant {@value #TENANT}) that every
 * HTTP call sends as 'Authorization: Bearer'; every job of the run (HTTP, inbox, SQL, chained) belongs to that
 * tenant, so that key lists them all.
 */
public class SampleRun {

    /** The admin key's tenant, the inbox's (INBOX_TENANT unset) and job_requests.tenant_id's default. */
    static final String TENANT = "default";

    static final Set<String> FINAL = Set.of("SUCCESS", "PARTIAL_SUCCESS", "FAILED", "DEAD_LETTERED", "CANCELLED");

    public static void main(String[] args) throws Exception {
        if (args.length >= 2 && args[0].equals("insert")) {
            insert(args[1]);
        } else if (args.length >= 5 && args[0].equals("report")) {
            System.exit(new SampleRun(args[1], args[2], Path.of(args[3])).report(Integer.parseInt(args[4])));
        } else {
            System.err.println("usage: SampleRun insert <jdbc-url> | report <jdbc-url> <base-url> <dir> <timeout-s>");
            System.exit(2);
        }
    }

    // ---------------------------------------------------------------------------------------------- insert

    static void insert(String jdbcUrl) throws SQLException {
        String csv = "sku,title,price,quantity\nSQL-0001,Cabo USB-C,19.90,10\nSQL-0002,Carregador,49.00,3\n"
                + "SQL-0003,Fone Bluetooth,129.99,0\n";
        String good = "{\"marketplace\":\"mercado_livre\",\"category\":\"electronics\",\"csv\":" + quote(csv) + "}";
        try (Connection db = connect(jdbcUrl);
             PreparedStatement insert = db.prepareStatement(
                     "INSERT INTO job_requests (type, payload) VALUES (?, ?::jsonb) RETURNING id")) {
            long goodId = insertRow(insert, "csv_validation", good);
            // an unknown job type: the SQL source must mark this row REJECTED with the reason
            long badId = insertRow(insert, "no_such_job_type", "{\"anything\":1}");
            System.out.println(goodId + " " + badId);
        }
    }

    private static long insertRow(PreparedStatement insert, String type, String payload) throws SQLException {
        insert.setString(1, type);
        insert.setString(2, payload);
        try (ResultSet rs = insert.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    // ---------------------------------------------------------------------------------------------- report

    private final String jdbcUrl;
    private final String baseUrl;
    private final Path dir;
    private final String apiKey = env("SR_API_KEY");
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<String> misses = new ArrayList<>();

    SampleRun(String jdbcUrl, String baseUrl, Path dir) {
        this.jdbcUrl = jdbcUrl;
        this.baseUrl = baseUrl;
        this.dir = dir;
    }

    record Request(long id, String type, String status, String jobId, String rejectReason) {
    }

    /** What the service shows at one moment. */
    record Snapshot(List<Map<String, Object>> jobs, Map<String, String> fileOf, List<Request> requests,
                    List<String> leftInInbox, Map<String, Long> warehouseRowsByTenant) {

        long warehouseRows() {
            return warehouseRowsByTenant.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    int report(int timeoutSeconds) throws Exception {
        String clean = env("SR_CLEAN_FILE");
        String mixed = env("SR_MIXED_FILE");
        List<String> malformed = List.of(env("SR_MALFORMED").split("/"));
        // two inbox validations and their two loads, the HTTP job and the SQL job
        int expectedJobs = 6;

        long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
        Snapshot s;
        String waitingFor;
        int dots = 0;
        System.out.print("waiting (up to " + timeoutSeconds + " s) for every job, file and request to settle ");
        while (true) {
            s = snapshot();
            waitingFor = waitingFor(s, expectedJobs, malformed);
            if (waitingFor == null || System.nanoTime() > deadline) {
                break;
            }
            if (++dots % 2 == 0) {
                System.out.print(".");
                System.out.flush();
            }
            Thread.sleep(500);
        }
        System.out.println(waitingFor == null ? " settled" : " TIMED OUT");
        if (waitingFor != null) {
            misses.add("did not settle within " + timeoutSeconds + " s: still waiting for " + waitingFor);
        }

        printJobs(s);
        printFailedFolder();
        printRequests(s);
        System.out.println();
        System.out.println("SELECT tenant_id, count(*) FROM warehouse_listings GROUP BY tenant_id  ->  "
                + (s.warehouseRowsByTenant().isEmpty() ? "(no rows)" : s.warehouseRowsByTenant()));

        check(s, clean, mixed, malformed);
        System.out.println();
        if (misses.isEmpty()) {
            return 0;
        }
        System.out.println("EXPECTATIONS MISSED (" + misses.size() + "):");
        misses.forEach(m -> System.out.println("  - " + m));
        return 1;
    }

    /** Null when everything has settled, otherwise what is still pending. */
    private String waitingFor(Snapshot s, int expectedJobs, List<String> malformed) {
        if (!s.leftInInbox().isEmpty()) {
            return "files still in the inbox: " + s.leftInInbox();
        }
        for (String name : malformed) {
            if (!Files.isRegularFile(failed(name)) || !Files.isRegularFile(failed(name + ".reason.txt"))) {
                return ".failed/" + name + " and its reason file";
            }
        }
        List<Request> fresh = s.requests().stream().filter(r -> r.status().equals("NEW")).toList();
        if (!fresh.isEmpty()) {
            return "job_requests still NEW: " + fresh.stream().map(r -> "#" + r.id()).toList();
        }
        if (s.jobs().size() < expectedJobs) {
            return expectedJobs + " jobs (" + s.jobs().size() + " so far)";
        }
        List<String> running = s.jobs().stream().filter(j -> !FINAL.contains(str(j, "status")))
                .map(j -> str(j, "job_id") + " " + str(j, "status")).toList();
        return running.isEmpty() ? null : "jobs not final yet: " + running;
    }

    private Snapshot snapshot() throws Exception {
        List<Map<String, Object>> jobs = new ArrayList<>();
        try {
            Map<String, Object> page = getJson("/jobs?limit=500");
            for (Object summary : list(page.get("jobs"))) {
                jobs.add(getJson("/jobs/" + str(map(summary), "job_id")));
            }
        } catch (IOException e) {
            System.out.print("(HTTP: " + e.getMessage() + ")");
        }
        jobs.sort((a, b) -> Objects.toString(a.get("created_at"), "").compareTo(Objects.toString(b.get("created_at"), "")));
        Map<String, String> fileOf = new LinkedHashMap<>();
        List<Request> requests = new ArrayList<>();
        Map<String, Long> warehouseRows = new LinkedHashMap<>();
        try (Connection db = connect(jdbcUrl); Statement st = db.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT job_id, payload->>'file' FROM jobs WHERE payload->>'file' IS NOT NULL")) {
                while (rs.next()) {
                    fileOf.put(rs.getString(1), Path.of(rs.getString(2)).getFileName().toString());
                }
            }
            try (ResultSet rs = st.executeQuery(
                    "SELECT id, type, status, job_id, reject_reason FROM job_requests ORDER BY id")) {
                while (rs.next()) {
                    requests.add(new Request(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getString(5)));
                }
            }
            try (ResultSet rs = st.executeQuery(
                    "SELECT tenant_id, count(*) FROM warehouse_listings GROUP BY tenant_id ORDER BY tenant_id")) {
                while (rs.next()) {
                    warehouseRows.put(rs.getString(1), rs.getLong(2));
                }
            }
        }
        List<String> left;
        try (Stream<Path> files = Files.list(dir)) {
            left = files.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).sorted().toList();
        }
        return new Snapshot(jobs, fileOf, requests, left, warehouseRows);
    }

    // ---------------------------------------------------------------------------------------------- printing

    private void printJobs(Snapshot s) {
        Map<String, String> requestOf = new LinkedHashMap<>();
        s.requests().forEach(r -> {
            if (r.jobId() != null) {
                requestOf.put(r.jobId(), "job_requests #" + r.id());
            }
        });
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"JOB_ID", "TYPE", "SOURCE", "STATUS", "ROWS", "RETRY", "PARENT", "FROM"});
        for (Map<String, Object> j : s.jobs()) {
            String id = str(j, "job_id");
            String from = s.fileOf().containsKey(id) ? s.fileOf().get(id)
                    : requestOf.getOrDefault(id, "api".equals(str(j, "source")) ? "POST /jobs" : "");
            rows.add(new String[] {id, str(j, "type"), str(j, "source"), str(j, "status"), rowsOf(j),
                    String.valueOf(j.get("retry_count")), j.get("parent_job_id") == null ? "-" : shortId(str(j, "parent_job_id")),
                    from});
        }
        System.out.println();
        System.out.println("JOBS (GET /jobs, GET /jobs/{id})");
        printTable(rows);
    }

    /** The start of a job id, enough to find it in the JOB_ID column. */
    private static String shortId(String id) {
        return id.length() > 16 ? id.substring(0, 16) + "…" : id;
    }

    private static String rowsOf(Map<String, Object> job) {
        Map<String, Object> r = job.get("result") instanceof Map<?, ?> m ? map(m) : Map.of();
        if (r.isEmpty()) {
            return job.get("error_message") == null ? "-" : "error: " + str(job, "error_message");
        }
        if ("warehouse_load".equals(job.get("type"))) {
            return "valid " + r.get("valid_rows") + ", skipped " + r.get("skipped_invalid_rows") + " (ins "
                    + r.get("inserted") + ", upd " + r.get("updated") + ", same " + r.get("unchanged") + ")";
        }
        return "valid " + r.get("valid_rows") + " / error " + r.get("error_rows");
    }

    private void printFailedFolder() throws IOException {
        System.out.println();
        System.out.println("REFUSED FILES (" + dir.getFileName() + "/.failed/, with their reason)");
        Path failedDir = dir.resolve(".failed");
        if (!Files.isDirectory(failedDir)) {
            System.out.println("  (no .failed/ folder)");
            return;
        }
        List<String> rows;
        try (Stream<Path> files = Files.list(failedDir)) {
            rows = files.map(p -> p.getFileName().toString()).filter(n -> !n.endsWith(".reason.txt")).sorted().toList();
        }
        int width = rows.stream().mapToInt(n -> n.codePointCount(0, n.length())).max().orElse(0);
        for (String name : rows) {
            Path reason = failedDir.resolve(name + ".reason.txt");
            String text = Files.isRegularFile(reason) ? Files.readString(reason, StandardCharsets.UTF_8).strip()
                    : "(NO REASON FILE)";
            System.out.println("  " + pad("'" + name + "'", width + 2) + "  " + text);
        }
        Path doneDir = dir.resolve(".done");
        if (Files.isDirectory(doneDir)) {
            try (Stream<Path> files = Files.list(doneDir)) {
                System.out.println("ACCEPTED FILES (.done/): " + files.map(p -> "'" + p.getFileName() + "'").sorted().toList());
            }
        }
    }

    private void printRequests(Snapshot s) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"ID", "TYPE", "STATUS", "JOB_ID", "REJECT_REASON"});
        for (Request r : s.requests()) {
            rows.add(new String[] {String.valueOf(r.id()), r.type(), r.status(), r.jobId() == null ? "-" : r.jobId(),
                    r.rejectReason() == null ? "-" : r.rejectReason()});
        }
        System.out.println();
        System.out.println("JOB_REQUESTS (SELECT id, type, status, job_id, reject_reason FROM job_requests)");
        printTable(rows);
    }

    private static void printTable(List<String[]> rows) {
        int[] width = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                width[i] = Math.max(width[i], row[i].codePointCount(0, row[i].length()));
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder(" ");
            for (int i = 0; i < row.length; i++) {
                line.append(' ').append(i == row.length - 1 ? row[i] : pad(row[i], width[i])).append(' ');
            }
            System.out.println(line.toString().stripTrailing());
        }
    }

    private static String pad(String s, int width) {
        return s + " ".repeat(Math.max(0, width - s.codePointCount(0, s.length())));
    }

    // ---------------------------------------------------------------------------------------------- checks

    private void check(Snapshot s, String clean, String mixed, List<String> malformed) throws IOException {
        int cleanRows = Integer.parseInt(env("SR_CLEAN_ROWS"));
        int mixedRows = Integer.parseInt(env("SR_MIXED_ROWS"));
        int mixedBad = Integer.parseInt(env("SR_MIXED_BAD"));

        Map<String, Object> cleanJob = inboxJob(s, clean);
        if (cleanJob != null) {
            expect(cleanJob, "clean file '" + clean + "'", "SUCCESS", cleanRows, 0);
            expectLoad(s, cleanJob, "clean file '" + clean + "'", cleanRows);
        }
        Map<String, Object> mixedJob = inboxJob(s, mixed);
        if (mixedJob != null) {
            expect(mixedJob, "bad-rows file '" + mixed + "'", "PARTIAL_SUCCESS", mixedRows - mixedBad, mixedBad);
            expectLoad(s, mixedJob, "bad-rows file '" + mixed + "'", mixedRows - mixedBad);
        }

        Map<String, Object> httpJob = byId(s, env("SR_HTTP_JOB"));
        if (httpJob == null) {
            misses.add("the HTTP job " + env("SR_HTTP_JOB") + " is not listed by GET /jobs");
        } else {
            expect(httpJob, "HTTP job", "PARTIAL_SUCCESS", 2, 1);
            expectSource(httpJob, "HTTP job", "api");
        }

        long goodId = Long.parseLong(env("SR_GOOD_REQUEST"));
        long badId = Long.parseLong(env("SR_BAD_REQUEST"));
        Request good = s.requests().stream().filter(r -> r.id() == goodId).findFirst().orElse(null);
        Request bad = s.requests().stream().filter(r -> r.id() == badId).findFirst().orElse(null);
        if (good == null || !"TAKEN".equals(good.status()) || good.jobId() == null) {
            misses.add("good job_requests row #" + goodId + " should be TAKEN with a job_id, is "
                    + (good == null ? "missing" : good.status() + " / " + good.jobId() + " / " + good.rejectReason()));
        } else {
            Map<String, Object> sqlJob = byId(s, good.jobId());
            if (sqlJob == null) {
                misses.add("the job " + good.jobId() + " of job_requests #" + goodId + " is not listed by GET /jobs");
            } else {
                expect(sqlJob, "job of job_requests #" + goodId, "SUCCESS", 3, 0);
                expectSource(sqlJob, "job of job_requests #" + goodId, "sql");
            }
        }
        if (bad == null || !"REJECTED".equals(bad.status()) || bad.rejectReason() == null || bad.rejectReason().isBlank()) {
            misses.add("bad job_requests row #" + badId + " (unknown type) should be REJECTED with a reason, is "
                    + (bad == null ? "missing" : bad.status() + " / " + bad.rejectReason()));
        } else if (bad.jobId() != null) {
            misses.add("bad job_requests row #" + badId + " is REJECTED but names job " + bad.jobId());
        }

        for (String name : malformed) {
            Path reason = failed(name + ".reason.txt");
            if (!Files.isRegularFile(failed(name))) {
                misses.add("malformed file '" + name + "' is not in .failed/");
            } else if (!Files.isRegularFile(reason) || Files.readString(reason, StandardCharsets.UTF_8).isBlank()) {
                misses.add("malformed file '" + name + "' is in .failed/ without a (non-empty) reason file");
            }
        }
        for (String name : List.of(clean, mixed)) {
            if (!Files.isRegularFile(dir.resolve(".done").resolve(name))) {
                misses.add("accepted file '" + name + "' is not in .done/");
            }
            if (Files.exists(failed(name))) {
                misses.add("good file '" + name + "' was refused: see .failed/");
            }
        }

        // warehouse rows are per tenant: both inbox files load into the inbox's tenant, and nowhere else
        long expectedRows = (long) cleanRows + mixedRows - mixedBad;
        Map<String, Long> expectedByTenant = Map.of(TENANT, expectedRows);
        if (!s.warehouseRowsByTenant().equals(expectedByTenant)) {
            misses.add("warehouse_listings has " + s.warehouseRowsByTenant() + " rows by tenant, expected "
                    + expectedByTenant + " (" + cleanRows + " + " + (mixedRows - mixedBad) + ")");
        }
        for (Map<String, Object> j : s.jobs()) {
            if (!TENANT.equals(j.get("tenant_id"))) {
                misses.add("job " + str(j, "job_id") + " (" + str(j, "type") + ") has tenant_id " + j.get("tenant_id")
                        + ", expected " + TENANT);
            }
            if (!FINAL.contains(str(j, "status"))) {
                misses.add("job " + str(j, "job_id") + " (" + str(j, "type") + ") is still " + str(j, "status"));
            }
        }
    }

    private Map<String, Object> inboxJob(Snapshot s, String file) {
        List<Map<String, Object>> found = s.jobs().stream()
                .filter(j -> "csv_validation".equals(j.get("type")) && file.equals(s.fileOf().get(str(j, "job_id"))))
                .toList();
        if (found.size() != 1) {
            misses.add("expected 1 csv_validation job for inbox file '" + file + "', found " + found.size());
            return null;
        }
        expectSource(found.get(0), "job of '" + file + "'", "inbox");
        return found.get(0);
    }

    private void expectLoad(Snapshot s, Map<String, Object> parent, String what, int validRows) {
        List<Map<String, Object>> children = new ArrayList<>();
        for (Object child : list(parent.get("children"))) {
            Map<String, Object> c = byId(s, String.valueOf(child));
            if (c != null && "warehouse_load".equals(c.get("type"))) {
                children.add(c);
            }
        }
        if (children.size() != 1) {
            misses.add(what + ": expected 1 warehouse_load child, found " + children.size()
                    + " (children " + parent.get("children") + ")");
            return;
        }
        Map<String, Object> load = children.get(0);
        String label = what + " -> warehouse_load " + str(load, "job_id");
        if (!"SUCCESS".equals(load.get("status"))) {
            misses.add(label + ": status " + load.get("status") + ", expected SUCCESS"
                    + (load.get("error_message") == null ? "" : " (" + load.get("error_message") + ")"));
        }
        expectSource(load, label, "chain");
        if (!str(parent, "job_id").equals(load.get("parent_job_id"))) {
            misses.add(label + ": parent_job_id " + load.get("parent_job_id") + ", expected " + str(parent, "job_id"));
        }
        Map<String, Object> r = load.get("result") instanceof Map<?, ?> m ? map(m) : Map.of();
        long written = num(r.get("inserted")) + num(r.get("updated")) + num(r.get("unchanged"));
        if (num(r.get("valid_rows")) != validRows || written != validRows) {
            misses.add(label + ": expected " + validRows + " valid rows loaded, result is " + r);
        }
    }

    private void expect(Map<String, Object> job, String what, String status, long valid, long errors) {
        String label = what + " (" + str(job, "job_id") + ")";
        if (!status.equals(job.get("status"))) {
            misses.add(label + ": status " + job.get("status") + ", expected " + status
                    + (job.get("error_message") == null ? "" : " (" + job.get("error_message") + ")"));
        }
        Map<String, Object> r = job.get("result") instanceof Map<?, ?> m ? map(m) : Map.of();
        if (num(r.get("valid_rows")) != valid || num(r.get("error_rows")) != errors
                || num(r.get("total_rows")) != valid + errors) {
            misses.add(label + ": expected total " + (valid + errors) + ", valid " + valid + ", error " + errors
                    + "; result has total " + r.get("total_rows") + ", valid " + r.get("valid_rows") + ", error "
                    + r.get("error_rows"));
        }
    }

    private void expectSource(Map<String, Object> job, String what, String source) {
        if (!source.equals(job.get("source"))) {
            misses.add(what + ": source " + job.get("source") + ", expected " + source);
        }
    }

    private static Map<String, Object> byId(Snapshot s, String id) {
        return s.jobs().stream().filter(j -> id.equals(j.get("job_id"))).findFirst().orElse(null);
    }

    private Path failed(String name) {
        return dir.resolve(".failed").resolve(name);
    }

    // ---------------------------------------------------------------------------------------------- plumbing

    private Map<String, Object> getJson(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(baseUrl + path))
                .header("Authorization", "Bearer " + apiKey)
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("GET " + path + " -> " + response.statusCode() + " " + response.body());
        }
        return map(new Json(response.body()).value());
    }

    /** As the embedded database's superuser; sample-run passes its generated password in PGPASSWORD. */
    private static Connection connect(String jdbcUrl) throws SQLException {
        return DriverManager.getConnection(jdbcUrl, "postgres", System.getenv().getOrDefault("PGPASSWORD", ""));
    }

    private static String env(String name) {
        String value = System.getenv(name);
        if (value == null) {
            throw new IllegalStateException("environment variable " + name + " is not set (run sandbox/sample-run)");
        }
        return value;
    }

    private static String str(Map<String, Object> m, String key) {
        return Objects.toString(m.get(key), "-");
    }

    private static long num(Object o) {
        return o instanceof Number n ? n.longValue() : -1;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    private static List<Object> list(Object o) {
        return o instanceof List<?> l ? new ArrayList<>(l) : List.of();
    }

    static String quote(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> out.append(c < 0x20 ? String.format("\\u%04x", (int) c) : String.valueOf(c));
            }
        }
        return out.append('"').toString();
    }

    /** A minimal JSON reader: objects become LinkedHashMaps, arrays Lists, numbers Long or Double. */
    static final class Json {
        private final String s;
        private int i;

        Json(String s) {
            this.s = s;
        }

        Object value() {
            skip();
            if (i >= s.length()) {
                throw error("unexpected end");
            }
            char c = s.charAt(i);
            switch (c) {
                case '{': {
                    i++;
                    Map<String, Object> m = new LinkedHashMap<>();
                    skip();
                    if (peek('}')) {
                        return m;
                    }
                    do {
                        skip();
                        String key = string();
                        skip();
                        expect(':');
                        m.put(key, value());
                        skip();
                    } while (peek(','));
                    expect('}');
                    return m;
                }
                case '[': {
                    i++;
                    List<Object> l = new ArrayList<>();
                    skip();
                    if (peek(']')) {
                        return l;
                    }
                    do {
                        l.add(value());
                        skip();
                    } while (peek(','));
                    expect(']');
                    return l;
                }
                case '"':
                    return string();
                default:
                    if (s.startsWith("true", i)) {
                        i += 4;
                        return Boolean.TRUE;
                    }
                    if (s.startsWith("false", i)) {
                        i += 5;
                        return Boolean.FALSE;
                    }
                    if (s.startsWith("null", i)) {
                        i += 4;
                        return null;
                    }
                    int start = i;
                    while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
                        i++;
                    }
                    String n = s.substring(start, i);
                    if (n.isEmpty()) {
                        throw error("unexpected '" + c + "'");
                    }
                    return n.matches("-?\\d+") ? (Object) Long.parseLong(n) : (Object) Double.parseDouble(n);
            }
        }

        private String string() {
            expect('"');
            StringBuilder out = new StringBuilder();
            while (true) {
                char c = s.charAt(i++);
                if (c == '"') {
                    return out.toString();
                }
                if (c != '\\') {
                    out.append(c);
                    continue;
                }
                char e = s.charAt(i++);
                switch (e) {
                    case 'n' -> out.append('\n');
                    case 't' -> out.append('\t');
                    case 'r' -> out.append('\r');
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'u' -> {
                        out.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                        i += 4;
                    }
                    default -> out.append(e);
                }
            }
        }

        private void skip() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }

        private boolean peek(char c) {
            if (i < s.length() && s.charAt(i) == c) {
                i++;
                return true;
            }
            return false;
        }

        private void expect(char c) {
            if (!peek(c)) {
                throw error("expected '" + c + "'");
            }
        }

        private IllegalArgumentException error(String what) {
            return new IllegalArgumentException("bad JSON at " + i + ": " + what);
        }
    }
}
