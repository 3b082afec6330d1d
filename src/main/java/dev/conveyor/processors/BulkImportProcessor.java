package dev.conveyor.processors;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveyor.config.ConveyorProperties;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobOutcome;
import dev.conveyor.job.JobOutcome.FollowUp;
import dev.conveyor.job.JobStatus;
import dev.conveyor.processors.OutboundAddresses.Messages;
import dev.conveyor.processors.OutboundAddresses.RefusedAddressException;
import dev.conveyor.worker.JobContext;
import dev.conveyor.worker.JobProcessor;
import dev.conveyor.worker.PermanentJobException;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.impl.EnglishReasonPhraseCatalog;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * {@code bulk_import}: fetches a CSV from an http(s) URL, or copies it from the configured local directory, into the
 * tenant's {@code imports/} (streamed, a buffer at a time), then chains its validation and warehouse load.
 * <p>
 * The fetch is the service reaching out on a submitter's behalf, so it is fenced (see {@link OutboundAddresses}):
 * only allow-listed hosts, only public addresses unless allowed by CIDR, redirects never followed, a byte cap checked
 * on Content-Length and while streaming, one deadline for the whole download, and error messages that carry the
 * status line and never the body the server sent.
 */
@Component
public class BulkImportProcessor implements JobProcessor, DisposableBean {

    public static final String TYPE = "bulk_import";
    private static final int BUFFER = 64 * 1024;

    private final DataFiles files;
    private final Optional<Path> allowedDir;
    private final OutboundAddresses addresses;
    private final CloseableHttpClient http;
    private final long maxBytes;
    private final Duration timeout;
    /** Aborts downloads that pass their deadline; one daemon thread, idle between deadlines. */
    private final ScheduledExecutorService deadlines = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "bulk-import-deadlines");
        thread.setDaemon(true);
        return thread;
    });

    @Autowired
    public BulkImportProcessor(ConveyorProperties properties, DataFiles files) {
        this(properties, files, InetAddress::getAllByName);
    }

    BulkImportProcessor(ConveyorProperties properties, DataFiles files, OutboundAddresses.Lookup lookup) {
        ConveyorProperties.BulkImport config = properties.bulkImport();
        this.files = files;
        String allowed = config.allowedDir();
        this.allowedDir = allowed == null || allowed.isBlank() ? Optional.empty()
                : Optional.of(Path.of(allowed).toAbsolutePath().normalize());
        this.addresses = new OutboundAddresses(config.allowedHosts(), config.allowedAddresses(), lookup);
        this.maxBytes = config.maxBytes();
        this.timeout = config.timeout();
        // bytes counted against max-bytes are the bytes stored: no gzip expanding behind the cap's back
        this.http = CheckedHttpClient.of(addresses, Duration.ofMillis(config.connectTimeoutMs()),
                Duration.ofMillis(config.readTimeoutMs()), false);
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<String> checkPayload(JsonNode payload) {
        List<String> problems = new ArrayList<>();
        try {
            Object source = source(payload.get("file_url").asText());
            if (source instanceof URI uri) {
                // refused here when the name alone tells (not allow-listed, an internal IP literal); what a name
                // resolves to is checked when the job connects, since DNS can change in between
                addresses.hostProblem(uri.getHost()).ifPresent(p -> problems.add("'file_url' " + p));
            }
        } catch (PermanentJobException e) {
            problems.add(e.getMessage());
        }
        return problems;
    }

    @Override
    public JobOutcome process(JobContext context) throws IOException, InterruptedException {
        Job job = context.job();
        String fileUrl = context.payload().get("file_url").asText();
        Object source = source(fileUrl);
        Path importsDir = Files.createDirectories(files.importsDir(job.tenantId()));
        Path target = importsDir.resolve(job.jobId() + ".csv");
        Path partial = importsDir.resolve(job.jobId() + ".csv.part");
        long started = System.nanoTime();
        try {
            if (source instanceof URI uri) {
                fetch(uri, partial);
            } else {
                Path local = (Path) source;
                if (Files.size(local) > maxBytes) {
                    throw tooLarge("the file");
                }
                Files.copy(local, partial, StandardCopyOption.REPLACE_EXISTING);
            }
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(partial);
        }
        long size = Files.size(target);
        String name = files.nameOf(job.tenantId(), target);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("file_url", fileUrl);
        result.put("file", name);
        result.put("bytes", size);
        result.put("fetch_time_ms", (System.nanoTime() - started) / 1_000_000);
        ObjectNode validation = JsonNodeFactory.instance.objectNode()
                .put("marketplace", job.marketplace())
                .put("category", job.category());
        if (job.region() != null) {
            validation.put("region", job.region());
        }
        validation.put("file", name).put("load_to_warehouse", true);
        return new JobOutcome(JobStatus.SUCCESS, result, null, null, Map.of("payload_size_bytes", size))
                .withNext(List.of(new FollowUp(CsvValidationProcessor.TYPE, validation)));
    }

    /** Package-private for the test that checks the connection goes to the checked address. */
    void fetch(URI uri, Path target) throws IOException {
        Optional<String> hostProblem = addresses.hostProblem(uri.getHost());
        if (hostProblem.isPresent()) {
            // the settings may have changed since the job was accepted
            throw new PermanentJobException("'file_url' " + hostProblem.get());
        }
        String shown = Messages.shorten(uri.toString());
        HttpGet get = new HttpGet(uri);
        AtomicBoolean timedOut = new AtomicBoolean();
        ScheduledFuture<?> deadline = deadlines.schedule(() -> {
            timedOut.set(true);
            get.cancel();
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        try {
            http.execute(get, response -> {
                try {
                    int status = response.getCode();
                    // the reason phrase is the standard one for the code, not the server's: a server chooses its
                    // reason phrase, and so could put anything there
                    String statusLine = "HTTP " + status + Optional.ofNullable(
                            EnglishReasonPhraseCatalog.INSTANCE.getReason(status, Locale.ENGLISH))
                            .map(r -> " " + r).orElse("");
                    if (status >= 300 && status < 400) {
                        throw new PermanentJobException("fetching " + shown + " answered " + statusLine
                                + "; redirects are not followed: give the final URL of the file");
                    }
                    if (status >= 400 && status < 500 && status != 408 && status != 429) {
                        throw new PermanentJobException("fetching " + shown + " answered " + statusLine);
                    }
                    if (status < 200 || status >= 300) {
                        throw new IOException("fetching " + shown + " answered " + statusLine);
                    }
                    HttpEntity entity = response.getEntity();
                    if (entity == null) {
                        Files.write(target, new byte[0]);
                        return null;
                    }
                    if (entity.getContentLength() > maxBytes) {
                        throw tooLarge(shown + " (Content-Length " + entity.getContentLength() + ")");
                    }
                    copyCapped(entity.getContent(), target, shown);
                    return null;
                } catch (IOException | RuntimeException e) {
                    // Closing the response would read the rest of the body to reuse the connection (all of an
                    // oversized one, say): drop the connection instead.
                    get.cancel();
                    throw e;
                }
            });
        } catch (IOException e) {
            if (timedOut.get()) {
                throw new IOException("fetching " + shown + " did not finish within conveyor.bulk-import.timeout ("
                        + timeout + ")");
            }
            RefusedAddressException refused = refusal(e);
            if (refused != null) {
                throw new PermanentJobException("'file_url' " + refused.getMessage());
            }
            throw e;
        } finally {
            deadline.cancel(false);
        }
    }

    /** Streams the body to the file, failing as soon as it passes max-bytes (the caller removes the partial file). */
    private void copyCapped(InputStream body, Path target, String shown) throws IOException {
        long total = 0;
        try (InputStream in = body; OutputStream out = Files.newOutputStream(target)) {
            byte[] buffer = new byte[BUFFER];
            int read;
            while ((read = in.read(buffer)) != -1) {
                total += read;
                if (total > maxBytes) {
                    throw tooLarge(shown);
                }
                out.write(buffer, 0, read);
            }
        }
    }

    private PermanentJobException tooLarge(String what) {
        return new PermanentJobException(what + " is larger than the limit of " + maxBytes
                + " bytes (conveyor.bulk-import.max-bytes)");
    }

    private static RefusedAddressException refusal(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof RefusedAddressException refused) {
                return refused;
            }
        }
        return null;
    }

    /** The URI to fetch, or the local file to copy; anything else is refused with the reason. */
    private Object source(String fileUrl) {
        String shown = Messages.shorten(fileUrl);
        URI uri;
        try {
            uri = new URI(fileUrl);
        } catch (URISyntaxException e) {
            throw new PermanentJobException("'file_url' is not a URL: " + Messages.shorten(e.getMessage()));
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (scheme.equals("http") || scheme.equals("https")) {
            if (uri.getHost() == null) {
                throw new PermanentJobException("'file_url' " + shown + " has no host");
            }
            return uri;
        }
        if (scheme.equals("file") || scheme.isEmpty()) {
            if (scheme.equals("file") && (uri.isOpaque() || (uri.getRawAuthority() != null
                    && !uri.getRawAuthority().isEmpty()))) {
                // file://host/... would be a network share (or nothing); file:x.csv is not a path
                throw new PermanentJobException("'file_url' " + shown + " must be file:///<absolute path>, "
                        + "without a host");
            }
            Path path;
            try {
                path = (scheme.isEmpty() ? Path.of(fileUrl) : Path.of(uri)).toAbsolutePath().normalize();
            } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
                throw new PermanentJobException("'file_url' " + shown + " is not a local path");
            }
            Path allowed = allowedDir.orElseThrow(() -> new PermanentJobException("'file_url' must be http(s); local "
                    + "files are allowed only under conveyor.bulk-import.allowed-dir, which is not set"));
            if (!path.startsWith(allowed)) {
                throw new PermanentJobException("'file_url' " + shown + " is outside the allowed directory "
                        + allowed);
            }
            if (!Files.isRegularFile(path)) {
                throw new PermanentJobException("'file_url' " + shown + " is not a file");
            }
            try {
                // a symlink inside the allowed directory must not lead out of it
                if (!path.toRealPath().startsWith(allowed.toRealPath())) {
                    throw new PermanentJobException("'file_url' " + shown + " leads outside the allowed directory");
                }
            } catch (IOException e) {
                throw new PermanentJobException("'file_url' " + shown + " cannot be read");
            }
            return path;
        }
        throw new PermanentJobException("'file_url' scheme '" + Messages.shorten(scheme) + "' is not allowed: use "
                + "http(s) or a file under the allowed directory");
    }

    @Override
    public void destroy() throws IOException {
        deadlines.shutdownNow();
        http.close();
    }
}
