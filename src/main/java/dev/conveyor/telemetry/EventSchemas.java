package dev.conveyor.telemetry;

import dev.conveyor.job.EventType;
import dev.conveyor.job.JobEvents;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaException;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import com.networknt.schema.resource.AllowSchemaLoader;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

/**
 * The event contract of docs/architecture.md section 7: {@code events/<event_type>-v1.json} of the schemas
 * packaged in the jar, or of {@code SCHEMAS_DIR} when it is set, each the
 * shared {@code envelope-v1.json} plus what its type adds (JSON Schema 2020-12).
 *
 * <p>Each file's {@code $id} is {@link #ID_PREFIX} + its file name. References between the files resolve to the
 * files read here; nothing is ever fetched from the network (any other reference fails to load). Loading checks
 * that every file is JSON, is a valid 2020-12 schema, names itself by its file name, and that every
 * {@link EventType} has a schema whose references all resolve; otherwise it throws with the file and reason.
 */
public final class EventSchemas {

    public static final String VERSION = JobEvents.VERSION;
    public static final String ID_PREFIX = "https://schemas.conveyor.dev/events/";
    public static final String ENVELOPE = "envelope-" + VERSION + ".json";

    private static final String META_SCHEMA = "https://json-schema.org/draft/2020-12/schema";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, JsonSchema> byEventType;

    private EventSchemas(Map<String, JsonSchema> byEventType) {
        this.byEventType = Collections.unmodifiableMap(byEventType);
    }

    /** The folder of the event schemas packaged in the jar (the project's {@code schemas/events}). */
    public static final String CLASSPATH_FOLDER = "schemas/events";

    /**
     * Loads {@code <schemasDir>/events}, or, when schemasDir is null (SCHEMAS_DIR unset), the schemas packaged in
     * the jar ({@code classpath:schemas/events}).
     */
    public static EventSchemas load(Path schemasDirOrNull) {
        return schemasDirOrNull == null ? loadClasspath(CLASSPATH_FOLDER)
                : loadDirectory(schemasDirOrNull.resolve("events"));
    }

    /** Where {@link #load(Path)} reads from, for log lines. */
    public static String location(Path schemasDirOrNull) {
        return schemasDirOrNull == null ? "classpath:" + CLASSPATH_FOLDER
                : schemasDirOrNull.resolve("events").toAbsolutePath().toString();
    }

    /** Loads every {@code *.json} of a directory that holds the envelope and one schema per event type. */
    public static EventSchemas loadDirectory(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("event schemas: no directory " + dir.toAbsolutePath());
        }
        Map<String, String> texts = new TreeMap<>();
        try (Stream<Path> listing = Files.list(dir)) {
            for (Path file : listing.filter(f -> f.getFileName().toString().endsWith(".json")).sorted().toList()) {
                texts.put(file.getFileName().toString(), Files.readString(file));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("event schemas: cannot read " + dir.toAbsolutePath(), e);
        }
        return load(texts, dir.toAbsolutePath().toString());
    }

    /**
     * Loads every {@code *.json} of a classpath folder, in a directory or inside the packaged jar alike (listed
     * with Spring's resource resolver: java.nio.file cannot list a folder of a jar's classpath).
     */
    public static EventSchemas loadClasspath(String folder) {
        String where = "classpath:" + folder;
        Map<String, String> texts = new TreeMap<>();
        try {
            Resource[] resources = new PathMatchingResourcePatternResolver(EventSchemas.class.getClassLoader())
                    .getResources(where + "/*.json");
            for (Resource resource : resources) {
                try (InputStream in = resource.getInputStream()) {
                    texts.put(resource.getFilename(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("event schemas: cannot read " + where, e);
        }
        if (texts.isEmpty()) {
            throw new IllegalStateException("event schemas: nothing in " + where + " (set SCHEMAS_DIR to a folder"
                    + " holding events/)");
        }
        return load(texts, where);
    }

    /** Loads the envelope and one schema per event type, given as file name to text, read from {@code where}. */
    private static EventSchemas load(Map<String, String> texts, String where) {
        Map<String, String> byId = new TreeMap<>();
        Map<String, String> files = new TreeMap<>();
        for (Map.Entry<String, String> entry : texts.entrySet()) {
            String file = where + "/" + entry.getKey();
            JsonNode node = parse(file, entry.getValue());
            String expectedId = ID_PREFIX + entry.getKey();
            if (!expectedId.equals(node.path("$id").asText(null))) {
                throw new IllegalStateException("event schema " + file + ": \"$id\" must be \"" + expectedId
                        + "\" (its file name under " + ID_PREFIX + "), not " + node.get("$id"));
            }
            byId.put(expectedId, entry.getValue());
            files.put(expectedId, file);
        }
        if (!byId.containsKey(ID_PREFIX + ENVELOPE)) {
            throw new IllegalStateException("event schemas: no " + ENVELOPE + " in " + where);
        }

        JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012,
                builder -> builder.schemaLoaders(loaders -> loaders
                        // our own files from memory, the meta-schemas from the validator's jar, nothing else
                        .add(new AllowSchemaLoader(iri -> byId.containsKey(iri.toString())
                                || iri.toString().startsWith("classpath:")))
                        .schemas(byId)));
        // formats (uuid, date-time) are checked, not just annotations; messages name fields as $.metrics.total_rows
        SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true)
                .pathType(PathType.JSON_PATH).locale(Locale.ROOT).build();

        JsonSchema metaSchema = factory.getSchema(SchemaLocation.of(META_SCHEMA), config);
        for (Map.Entry<String, String> entry : byId.entrySet()) {
            String file = files.get(entry.getKey());
            List<String> problems = messages(metaSchema.validate(parse(file, entry.getValue())));
            if (!problems.isEmpty()) {
                throw new IllegalStateException("event schema " + file + " is not a valid JSON Schema 2020-12: "
                        + String.join("; ", problems));
            }
        }

        Map<String, JsonSchema> byEventType = new LinkedHashMap<>();
        for (String eventType : eventTypeNames()) {
            String id = ID_PREFIX + fileName(eventType);
            if (!byId.containsKey(id)) {
                throw new IllegalStateException("event type " + eventType + " has no schema: expected "
                        + where + "/" + fileName(eventType));
            }
            try {
                JsonSchema schema = factory.getSchema(SchemaLocation.of(id), config);
                schema.initializeValidators();
                byEventType.put(eventType, schema);
            } catch (JsonSchemaException | UncheckedIOException e) {
                throw new IllegalStateException("event schema " + files.get(id) + " cannot be loaded: "
                        + e.getMessage(), e);
            }
        }
        return new EventSchemas(byEventType);
    }

    /** Every event type on the wire: the jobs' lifecycle steps, then the batches'. */
    public static List<String> eventTypeNames() {
        List<String> names = new java.util.ArrayList<>();
        for (EventType type : EventType.values()) {
            names.add(type.wireName());
        }
        for (dev.conveyor.job.BatchEventType type : dev.conveyor.job.BatchEventType.values()) {
            names.add(type.wireName());
        }
        return names;
    }

    public static String fileName(String eventType) {
        return eventType + "-" + VERSION + ".json";
    }

    public Set<String> eventTypes() {
        return byEventType.keySet();
    }

    /** The violations of an envelope given as a map, as {@link #violations(JsonNode)}. */
    public List<String> violations(Map<String, ?> envelope) {
        return violations((JsonNode) JSON.valueToTree(envelope));
    }

    /**
     * The schema violations of an envelope against the schema its {@code event_type} names, as readable
     * lines; empty when it conforms. An envelope without a known event_type has that one violation.
     */
    public List<String> violations(JsonNode envelope) {
        if (envelope == null || !envelope.isObject()) {
            return List.of("$: the event is not a JSON object");
        }
        JsonNode type = envelope.get("event_type");
        JsonSchema schema = type != null && type.isTextual() ? byEventType.get(type.asText()) : null;
        if (schema == null) {
            return List.of("$.event_type: " + (type == null ? "is missing" : type + " is not one of "
                    + byEventType.keySet()));
        }
        return messages(schema.validate(envelope));
    }

    private static List<String> messages(Set<ValidationMessage> messages) {
        List<String> lines = new ArrayList<>();
        for (ValidationMessage message : messages) {
            lines.add(message.getMessage());
        }
        return lines.stream().distinct().sorted().toList();
    }

    private static JsonNode parse(String file, String text) {
        try {
            JsonNode node = JSON.readTree(text);
            if (node == null || !node.isObject()) {
                throw new IllegalStateException("event schema " + file + " is not a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("event schema " + file + " is not valid JSON: "
                    + e.getOriginalMessage() + " (line " + e.getLocation().getLineNr() + ")", e);
        }
    }
}
