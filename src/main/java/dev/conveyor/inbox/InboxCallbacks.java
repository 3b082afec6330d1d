package dev.conveyor.inbox;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.conveyor.config.BatchProperties;
import dev.conveyor.config.BatchProperties.InboxCallback;
import dev.conveyor.config.ConveyorProperties;
import dev.conveyor.intake.BatchCallbacks;
import dev.conveyor.intake.ProblemException;
import org.springframework.stereotype.Component;

/**
 * The callbacks a dropped file's batch carries, from {@code conveyor.batches.inbox-callbacks}: those of the folder the
 * file was dropped in, or of the nearest folder above it that has some (the most specific wins, whole). In their
 * string values {@code {marketplace}}, {@code {category}} and {@code {region}} become the file's. They are checked as
 * {@code POST /jobs/batch} checks its callbacks; one that is not a job this tenant could submit refuses the file,
 * its reason naming the setting.
 */
@Component
public class InboxCallbacks {

    private final List<InboxCallback> configured;
    private final BatchCallbacks callbacks;
    private final ObjectMapper json;
    private final String tenant;

    public InboxCallbacks(BatchProperties properties, ConveyorProperties conveyor,
                          BatchCallbacks callbacks, ObjectMapper json) {
        this.configured = properties.inboxCallbacks();
        this.callbacks = callbacks;
        this.json = json;
        this.tenant = conveyor.inbox().tenant();
    }

    /**
     * The callbacks (JSON, as the batch stores them) of a file dropped at {@code relative} (its path in the inbox), or
     * null when its folder has none.
     *
     * @throws ProblemException when a configured callback is not a job of the inbox's tenant
     */
    String of(Path relative, InboxFileCheck.Listing listing) {
        InboxCallback chosen = null;
        int depth = -1;
        Path folder = relative.getParent();
        for (InboxCallback callback : configured) {
            Path configuredFolder = Path.of(callback.folder());
            if (folder != null && folder.startsWith(configuredFolder) && configuredFolder.getNameCount() > depth) {
                chosen = callback;
                depth = configuredFolder.getNameCount();
            }
        }
        if (chosen == null) {
            return null;
        }
        try {
            ObjectNode body = json.createObjectNode();
            if (chosen.onComplete() != null) {
                body.set("on_complete", fill(read(chosen.onComplete()), listing));
            }
            if (chosen.onSuccess() != null) {
                body.set("on_success", fill(read(chosen.onSuccess()), listing));
            }
            return callbacks.check(tenant, null, body);
        } catch (ProblemException e) {
            throw ProblemException.unprocessable("conveyor.batches.inbox-callbacks of folder '" + chosen.folder()
                    + "': " + e.getMessage());
        }
    }

    private JsonNode read(String text) {
        try {
            return json.readTree(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw ProblemException.unprocessable("a callback is not JSON: " + e.getOriginalMessage());
        }
    }

    /** The node with the file's listing in place of {marketplace}, {category} and {region} in every string. */
    private static JsonNode fill(JsonNode node, InboxFileCheck.Listing listing) {
        if (node.isTextual()) {
            Map<String, String> values = Map.of("{marketplace}", listing.marketplace(), "{category}",
                    listing.category(), "{region}", listing.region() == null ? "" : listing.region());
            String text = node.asText();
            for (Map.Entry<String, String> value : values.entrySet()) {
                text = text.replace(value.getKey(), value.getValue());
            }
            return TextNode.valueOf(text);
        }
        if (node.isObject()) {
            ObjectNode copy = ((ObjectNode) node).deepCopy();
            copy.fields().forEachRemaining(field -> field.setValue(fill(field.getValue(), listing)));
            return copy;
        }
        return node;
    }
}
