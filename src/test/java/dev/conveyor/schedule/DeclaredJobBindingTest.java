package dev.conveyor.schedule;

import java.io.IOException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conveyor.config.ScheduleProperties;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.ByteArrayResource;

import static org.assertj.core.api.Assertions.assertThat;

/** A job declared in application.yaml reaches the schedule as the JSON it reads as: types and lists kept. */
class DeclaredJobBindingTest {

    private static final String YAML = """
            conveyor:
              schedules:
                nightly:
                  cron: "0 2 * * *"
                  job:
                    type: enrich
                    payload: {count: 5, strict: true, name: acme, columns: [sku, title], matrix: [[1, 2], [3]], nested: {k: v}}
              scheduler: {poll-ms: 1000, misfire-grace: 10s}
            """;

    @Test
    void numbersBooleansObjectsAndListsAreWhatTheYamlSays() throws IOException {
        StandardEnvironment environment = new StandardEnvironment();
        new YamlPropertySourceLoader().load("test", new ByteArrayResource(YAML.getBytes()))
                .forEach(environment.getPropertySources()::addFirst);
        ScheduleProperties bound = Binder.get(environment).bind("conveyor", ScheduleProperties.class).get();
        ObjectMapper json = new ObjectMapper();

        JsonNode job = DeclaredSchedules.withLists(json.valueToTree(bound.schedules().get("nightly").job()));

        assertThat(job).isEqualTo(json.readTree("""
                {"type": "enrich", "payload": {"count": 5, "strict": true, "name": "acme",
                 "columns": ["sku", "title"], "matrix": [[1, 2], [3]], "nested": {"k": "v"}}}
                """));
    }
}
