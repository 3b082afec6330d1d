package dev.conveyor.schedule;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveyor.config.ConveyorProperties;
import dev.conveyor.config.ScheduleProperties;
import dev.conveyor.intake.ProblemException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Writes the schedules application.yaml declares ({@code conveyor.schedules.<name>}) into the schedules table
 * when the service starts, before its routes do, with the API's checks: a bad one stops the start, naming its key.
 * They belong to {@code conveyor.default-tenant}; a declared schedule the file no longer names is deleted. Every
 * instance does this; they agree, since they read the same file (and the upsert leaves an unchanged schedule's
 * next tick alone).
 */
@Component
public class DeclaredSchedules implements SmartInitializingSingleton {

    private static final Logger log = LoggerFactory.getLogger(DeclaredSchedules.class);

    private final ScheduleProperties properties;
    private final ScheduleDefinitions definitions;
    private final ScheduleStore store;
    private final TransactionTemplate tx;
    private final ObjectMapper json;
    private final Clock clock;
    private final String tenantId;

    public DeclaredSchedules(ScheduleProperties properties, ScheduleDefinitions definitions, ScheduleStore store,
                             TransactionTemplate tx, ObjectMapper json, Clock clock, ConveyorProperties conveyor) {
        this.properties = properties;
        this.definitions = definitions;
        this.store = store;
        this.tx = tx;
        this.json = json;
        this.clock = clock;
        this.tenantId = conveyor.defaultTenant();
    }

    @Override
    public void afterSingletonsInstantiated() {
        List<String> names = new ArrayList<>();
        List<Runnable> writes = new ArrayList<>();
        for (Map.Entry<String, ScheduleProperties.Declared> declared : properties.schedules().entrySet()) {
            String name = declared.getKey();
            String key = "conveyor.schedules." + name;
            if (!ScheduleDefinitions.isName(name)) {
                throw new IllegalStateException(key + ": a schedule's name must be 1-64 letters, digits, '_', '.' "
                        + "or '-'");
            }
            ScheduleDefinition definition;
            try {
                definition = definitions.check(tenantId, null, body(declared.getValue()));
            } catch (ProblemException e) {
                throw new IllegalStateException(key + ": " + e.getMessage());
            }
            names.add(name);
            writes.add(() -> store.putDeclared(name, tenantId, definition, definitions.jobText(definition),
                    definition.nextAfter(clock.instant())));
        }
        tx.executeWithoutResult(status -> {
            writes.forEach(Runnable::run);
            store.deleteDeclaredExcept(names).forEach(gone -> log.info("schedule {} is no longer declared in "
                    + "application.yaml (conveyor.schedules); deleted", gone));
        });
        if (!names.isEmpty()) {
            log.info("schedules declared in application.yaml: {}", names);
        }
    }

    /** The declaration as the body PUT /schedules/{name} takes, so both are checked by the same rules. */
    private ObjectNode body(ScheduleProperties.Declared declared) {
        ObjectNode body = json.createObjectNode();
        body.put("cron", declared.cron());
        if (declared.zone() != null && !declared.zone().isBlank()) {
            body.put("zone", declared.zone());
        }
        if (declared.misfire() != null && !declared.misfire().isBlank()) {
            body.put("misfire", declared.misfire());
        }
        if (declared.job() != null) {
            body.set("job", withLists(json.valueToTree(declared.job())));
        }
        return body;
    }

    /**
     * The job as application.yaml wrote it: Spring Boot binds a YAML list inside a {@code Map<String, Object>} as a
     * map keyed 0, 1, 2…, so such a map is turned back into the list it was (a payload's {@code columns: [a, b]}).
     */
    static JsonNode withLists(JsonNode node) {
        if (node.isObject()) {
            ObjectNode object = (ObjectNode) node;
            List<String> names = new ArrayList<>();
            object.fieldNames().forEachRemaining(names::add);
            names.forEach(name -> object.set(name, withLists(object.get(name))));
            boolean indexed = !names.isEmpty();
            for (int i = 0; i < names.size() && indexed; i++) {
                indexed = object.has(Integer.toString(i));
            }
            if (indexed) {
                ArrayNode list = JsonNodeFactory.instance.arrayNode();
                for (int i = 0; i < names.size(); i++) {
                    list.add(object.get(Integer.toString(i)));
                }
                return list;
            }
        }
        return node;
    }
}
