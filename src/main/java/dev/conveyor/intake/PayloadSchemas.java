package dev.conveyor.intake;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.conveyor.config.ConveyorProperties;
import dev.conveyor.worker.JobProcessors;
import org.springframework.stereotype.Component;

/**
 * The payload contract of each job type: {@code schemas/jobs/<type>-v1.json} (JSON Schema 2020-12), read from
 * {@code SCHEMAS_DIR} when it is set, else from the classpath (the project's {@code schemas/}, packaged in the jar).
 * Every registered job type must have one; the service refuses to start otherwise.
 */
@Component
public class PayloadSchemas {

    private static final String VERSION = "v1";
    /** The payload schemas packaged in the jar (the project's {@code schemas/jobs}). */
    private static final String CLASSPATH_FOLDER = "schemas/jobs";

    private final Map<String, JsonSchema> byType = new HashMap<>();

    public PayloadSchemas(ConveyorProperties properties, JobProcessors processors, ObjectMapper json)
            throws IOException {
        JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
        Path schemasDir = properties.schemasDir();
        if (schemasDir != null && !Files.isDirectory(schemasDir)) {
            throw new IllegalStateException("SCHEMAS_DIR " + schemasDir.toAbsolutePath() + " is not a directory"
                    + " (unset it to use the schemas packaged in the jar)");
        }
        Path dir = schemasDir == null ? null : schemasDir.resolve("jobs");
        for (String type : processors.types()) {
            String name = type + "-" + VERSION + ".json";
            Path file = dir == null ? null : dir.resolve(name);
            // SCHEMAS_DIR first when it is set; then the classpath: the schemas packaged in the jar, and those of a
            // job type shipped in a library
            try (InputStream in = file != null && Files.isRegularFile(file) ? Files.newInputStream(file)
                    : PayloadSchemas.class.getResourceAsStream("/" + CLASSPATH_FOLDER + "/" + name)) {
                if (in == null) {
                    throw new IllegalStateException("job type " + type + " has no payload schema: expected "
                            + (file == null ? "classpath:" + CLASSPATH_FOLDER + "/" + name
                            : file.toAbsolutePath()));
                }
                byType.put(type, factory.getSchema(json.readTree(in)));
            }
        }
    }

    public boolean knows(String type) {
        return byType.containsKey(type);
    }

    public Set<String> types() {
        return byType.keySet();
    }

    /** The schema violations of a payload, as readable lines; empty when it conforms. */
    public List<String> violations(String type, JsonNode payload) {
        JsonSchema schema = Optional.ofNullable(byType.get(type))
                .orElseThrow(() -> new IllegalArgumentException("unknown job type " + type));
        Set<ValidationMessage> messages = schema.validate(payload);
        return messages.stream().map(ValidationMessage::getMessage).sorted().toList();
    }
}
