package dev.conveyor.intake;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.UUID;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveyor.config.ConveyorProperties;
import dev.conveyor.job.Submission;
import dev.conveyor.processors.DataFiles;
import dev.conveyor.validation.FileKind;
import org.springframework.stereotype.Component;

/**
 * Streams an uploaded CSV (or .xlsx) body to a file under the tenant's {@code uploads/} (see {@link DataFiles}), a buffer at a time, so a body of
 * any size costs the same memory. A body over the limit is refused and its partial file removed, and so is one
 * that is neither CSV text nor an .xlsx workbook (a PDF, another zip, an old .xls: see {@link FileKind}), with
 * 415 and what to send instead.
 */
@Component
public class CsvUploads {

    private static final int BUFFER = 64 * 1024;

    private final DataFiles files;
    private final BatchOpener batches;
    private final ObjectMapper json;
    private final long maxBytes;

    public CsvUploads(ConveyorProperties properties, DataFiles files, BatchOpener batches, ObjectMapper json) {
        this.files = files;
        this.batches = batches;
        this.json = json;
        this.maxBytes = properties.intake().maxCsvBytes();
    }

    /**
     * What {@code POST /jobs/csv} asks for besides the body: where the listings go ({@code marketplace} and
     * {@code category} required, {@code region} optional) and the request's headers, each null when not sent.
     */
    public record CsvRequest(String marketplace, String category, String region, String priority,
                             String correlationId, String idempotencyKey) {
    }

    /**
     * Stores the body for the tenant and submits a {@code csv_validation} job of it, which the caller's key
     * submitted, as a batch of its own (its source_ref the stored name, with the body's SHA-256). The stored file is removed again when the job is refused or is an idempotent replay.
     */
    public Submission submit(String tenant, String keyId, CsvRequest request, InputStream body, long declaredLength)
            throws IOException {
        ObjectNode payload = json.createObjectNode();
        payload.put("marketplace", request.marketplace());
        payload.put("category", request.category());
        if (request.region() != null) {
            payload.put("region", request.region());
        }
        Upload upload = store(tenant, body, declaredLength);
        payload.put("file", upload.relativePath());
        Submission submission;
        try {
            submission = batches.submitAsBatch(new JobRequest(tenant, "csv_upload", "csv_validation", payload,
                    request.priority(), null, request.correlationId(), null, request.idempotencyKey(),
                    upload.sizeBytes()).submittedBy(keyId), BatchOpener.Source.UPLOAD, upload.relativePath(),
                    upload.sha256(), null);
        } catch (RuntimeException e) {
            discard(upload);
            throw e;
        }
        if (!submission.created()) {
            discard(upload);
        }
        return submission;
    }

    /** A stored upload: its path relative to the tenant's data directory, size and SHA-256. */
    public record Upload(Path absolutePath, String relativePath, long sizeBytes, String sha256) {
    }

    public Upload store(String tenant, InputStream body, long declaredLength) throws IOException {
        if (declaredLength > maxBytes) {
            throw tooLarge();
        }
        Path uploadsDir = Files.createDirectories(files.uploadsDir(tenant));
        String name = UUID.randomUUID().toString();
        Path partial = uploadsDir.resolve(name + ".part");
        MessageDigest sha256 = sha256();
        long total = 0;
        try (OutputStream out = new DigestOutputStream(Files.newOutputStream(partial), sha256)) {
            if (body != null) {
                byte[] buffer = new byte[BUFFER];
                int read;
                while ((read = body.read(buffer)) != -1) {
                    total += read;
                    if (total > maxBytes) {
                        throw tooLarge();
                    }
                    out.write(buffer, 0, read);
                }
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(partial);
            throw e;
        }
        if (total == 0) {
            Files.deleteIfExists(partial);
            throw ProblemException.unprocessable("the CSV body is empty; send the file with a header row");
        }
        // what the bytes are, not what the Content-Type said: an .xlsx is kept as one (and read as one), anything
        // that is neither CSV text nor an .xlsx is refused now rather than accepted and failed as bad UTF-8
        FileKind kind;
        try {
            kind = FileKind.of(partial);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(partial);
            throw e;
        }
        if (kind.refusedAtIntake()) {
            Files.deleteIfExists(partial);
            throw new ProblemException(415, "Unsupported Media Type", kind.refusal());
        }
        Path target = uploadsDir.resolve(name + (kind == FileKind.XLSX ? ".xlsx" : ".csv"));
        Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
        return new Upload(target, files.nameOf(tenant, target), total,
                HexFormat.of().formatHex(sha256.digest()));
    }

    public void discard(Upload upload) throws IOException {
        Files.deleteIfExists(upload.absolutePath());
    }

    private ProblemException tooLarge() {
        return ProblemException.tooLarge("the CSV body is larger than the limit of " + maxBytes
                + " bytes (conveyor.intake.max-csv-bytes)");
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
