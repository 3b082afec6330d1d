package dev.conveyor.intake;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A batch refused as a whole because of some of its items: rendered with
 * {@code errors: [{"index": 3, "errors": [...]}, ...]}, one entry per bad item, its index counted from 0.
 */
public class BatchProblemException extends ProblemException {

    private final List<Map<String, Object>> items;

    public BatchProblemException(int status, String title, String detail, List<Map<String, Object>> items) {
        super(status, title, detail);
        this.items = List.copyOf(items);
    }

    public List<Map<String, Object>> items() {
        return items;
    }

    static Map<String, Object> item(int index, List<String> errors) {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("index", index);
        item.put("errors", errors);
        return item;
    }
}
