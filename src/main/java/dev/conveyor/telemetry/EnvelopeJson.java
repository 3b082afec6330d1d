package dev.conveyor.telemetry;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonGenerator;

/**
 * Writes an event's envelope, a JSON-ready map, with Jackson's streaming generator: the envelope's own kinds of
 * value (text, numbers, booleans, nested maps and lists, null) directly, anything else through the generator's
 * codec, the service's ObjectMapper. The same JSON as that mapper writes for the map (nulls included, as the
 * service's {@code default-property-inclusion: always}), without its per-call serializer look-ups: in the W0 drain,
 * serialising envelopes through the mapper was a sixth of the service's CPU samples (docs/benchmarks.md).
 */
final class EnvelopeJson {

    private EnvelopeJson() {
    }

    static void write(JsonGenerator out, Object value) throws IOException {
        if (value == null) {
            out.writeNull();
        } else if (value instanceof String text) {
            out.writeString(text);
        } else if (value instanceof Integer number) {
            out.writeNumber(number);
        } else if (value instanceof Long number) {
            out.writeNumber(number);
        } else if (value instanceof Boolean flag) {
            out.writeBoolean(flag);
        } else if (value instanceof Map<?, ?> map) {
            out.writeStartObject();
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                out.writeFieldName(String.valueOf(entry.getKey()));
                write(out, entry.getValue());
            }
            out.writeEndObject();
        } else if (value instanceof List<?> list) {
            out.writeStartArray();
            for (Object item : list) {
                write(out, item);
            }
            out.writeEndArray();
        } else {
            out.writeObject(value);
        }
    }
}
