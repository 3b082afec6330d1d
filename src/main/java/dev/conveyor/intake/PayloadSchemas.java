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
 * The payload contract of each job type: {@code schemas/jobs/<type>-v1.json} (JSON Schema 2020-12).
 * Every registered job type must have one; the service refuses to start otherwise.
 */
@Component
public class PayloadSchemas {

    private static final String VERSION = "v1";

    private final Map<String, JsonSchema> byType = new HashMap<>();

    public PayloadSchemas(ConveyorProperties properties, JobProcessors processors, ObjectMapper json)
            throws IOException {
        JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
        Path dir = properties.schemasDir().resolve("jobs");
        for (String type : processors.types()) {
            String name = type + "-" + VERSION + ".json";
            Path file = dir.resolve(name);
            // the schemas directory first; a job type shipped in a library may carry its schema on the classpath
            try (InputStream in = Files.isRegularFile(file) ? Files.newInputStream(file)
                    : PayloadSchemas.class.getResourceAsStream("/schemas/jobs/" + name)) {
                if (in == null) {
                    throw new IllegalStateException("job type " + type + " has no payload schema: expected "
                            + file.toAbsolutePath());
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
