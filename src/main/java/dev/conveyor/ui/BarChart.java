package dev.conveyor.ui;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A horizontal bar chart the server draws as inline SVG: one bar per label, its length proportional to the
 * largest value. A handful of bars (one per status) needs no chart library, no script and no second request, and
 * it redraws with the fragment htmx swaps in. The template writes the numbers; nothing here is the caller's text.
 */
record BarChart(List<Bar> bars, int height) {

    static final int BAR_HEIGHT = 22;
    static final int WIDTH = 300;

    record Bar(String label, long value, int y, int textY, int width, String colour) {
    }

    static BarChart of(Map<String, Long> values) {
        long max = values.values().stream().mapToLong(Long::longValue).max().orElse(0);
        List<Bar> bars = new ArrayList<>();
        int y = 0;
        for (Map.Entry<String, Long> entry : values.entrySet()) {
            int width = max == 0 ? 0 : (int) Math.max(entry.getValue() == 0 ? 0 : 2, WIDTH * entry.getValue() / max);
            bars.add(new Bar(entry.getKey(), entry.getValue(), y, y + 15, width, StatusColours.of(entry.getKey())));
            y += BAR_HEIGHT;
        }
        return new BarChart(bars, Math.max(y, BAR_HEIGHT));
    }
}
