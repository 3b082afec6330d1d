package dev.conveyor.processors;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveyor.config.ConveyorProperties;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobOutcome;
import dev.conveyor.job.JobOutcome.FollowUp;
import dev.conveyor.job.JobStatus;
import dev.conveyor.worker.JobContext;
import dev.conveyor.worker.JobProcessor;
import dev.conveyor.worker.PermanentJobException;
import org.springframework.stereotype.Component;

/**
 * {@code bulk_import}: fetches a CSV from an http(s) URL, or copies it from the configured local directory,
 * into the tenant's {@code imports/} (streamed, a buffer at a time), then chains its validation and warehouse load.
 */
@Component
public class BulkImportProcessor implements JobProcessor {

    public static final String TYPE = "bulk_import";

    private final DataFiles files;
    private final Optional<Path> allowedDir;
    private final HttpClient http;
    private final Duration readTimeout;

    public BulkImportProcessor(ConveyorProperties properties, DataFiles files) {
        this.files = files;
        String allowed = properties.bulkImport().allowedDir();
        this.allowedDir = allowed == null || allowed.isBlank() ? Optional.empty()
                : Optional.of(Path.of(allowed).toAbsolutePath().normalize());
        this.http = HttpClient.newBuilder()
                .connectTimeout(Duration.ofMillis(properties.bulkImport().connectTimeoutMs()))
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
        this.readTimeout = Duration.ofMillis(properties.bulkImport().readTimeoutMs());
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<String> checkPayload(JsonNode payload) {
        List<String> problems = new ArrayList<>();
        try {
            source(payload.get("file_url").asText());
        } catch (PermanentJobException e) {
            problems.add(e.getMessage());
        }
        return problems;
    }

    @Override
    public JobOutcome process(JobContext context) throws IOException, InterruptedException {
        Job job = context.job();
        Object source = source(context.payload().get("file_url").asText());
        Path importsDir = Files.createDirectories(files.importsDir(job.tenantId()));
        Path target = importsDir.resolve(job.jobId() + ".csv");
        Path partial = importsDir.resolve(job.jobId() + ".csv.part");
        long started = System.nanoTime();
        try {
            if (source instanceof URI uri) {
                fetch(uri, partial);
            } else {
                Files.copy((Path) source, partial, StandardCopyOption.REPLACE_EXISTING);
            }
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(partial);
        }
        long size = Files.size(target);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("file_url", context.payload().get("file_url").asText());
        result.put("file", files.nameOf(job.tenantId(), target));
        result.put("bytes", size);
        result.put("fetch_time_ms", (System.nanoTime() - started) / 1_000_000);
        ObjectNode validation = JsonNodeFactory.instance.objectNode()
                .put("marketplace", job.marketplace())
                .put("category", job.category());
        if (job.region() != null) {
            validation.put("region", job.region());
        }
        validation.put("file", files.nameOf(job.tenantId(), target)).put("load_to_warehouse", true);
        return new JobOutcome(JobStatus.SUCCESS, result, null, null, Map.of("payload_size_bytes", size))
                .withNext(List.of(new FollowUp(CsvValidationProcessor.TYPE, validation)));
    }

    private void fetch(URI uri, Path target) throws IOException, InterruptedException {
        HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(uri).timeout(readTimeout).GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = response.body()) {
            int status = response.statusCode();
            if (status >= 400 && status < 500 && status != 408 && status != 429) {
                throw new PermanentJobException("fetching " + uri + " answered HTTP " + status);
            }
            if (status < 200 || status >= 300) {
                throw new IOException("fetching " + uri + " answered HTTP " + status);
            }
            Files.copy(body, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** The URI to fetch, or the local file to copy; anything else is refused with the reason. */
    private Object source(String fileUrl) {
        URI uri;
        try {
            uri = new URI(fileUrl);
        } catch (URISyntaxException e) {
            throw new PermanentJobException("'file_url' is not a URL: " + e.getMessage());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (scheme.equals("http") || scheme.equals("https")) {
            if (uri.getHost() == null) {
                throw new PermanentJobException("'file_url' " + fileUrl + " has no host");
            }
            return uri;
        }
        if (scheme.equals("file") || scheme.isEmpty()) {
            Path path = (scheme.isEmpty() ? Path.of(fileUrl) : Path.of(uri)).toAbsolutePath().normalize();
            Path allowed = allowedDir.orElseThrow(() -> new PermanentJobException("'file_url' must be http(s); local "
                    + "files are allowed only under conveyor.bulk-import.allowed-dir, which is not set"));
            if (!path.startsWith(allowed)) {
                throw new PermanentJobException("'file_url' " + fileUrl + " is outside the allowed directory "
                        + allowed);
            }
            if (!Files.isRegularFile(path)) {
                throw new PermanentJobException("'file_url' " + fileUrl + " is not a file");
            }
            return path;
        }
        throw new PermanentJobException("'file_url' scheme '" + scheme + "' is not allowed: use http(s) or a file "
                + "under the allowed directory");
    }
}
