package dev.conveyor.ui;

import java.util.ArrayList;
import java.util.List;

import dev.conveyor.telemetry.DailyThroughput;

/**
 * A column chart of finished jobs per day, drawn by the server as inline SVG like {@link BarChart}: one column a
 * day, its height proportional to the busiest day, the succeeded part at the bottom, the failed part above it and
 * the cancelled rest on top, each day's total written over its column and its date under it.
 */
record DailyChart(List<Column> columns, int width, int height) {

    static final int PLOT_HEIGHT = 120;
    static final int COLUMN_WIDTH = 34;
    static final int GAP = 10;
    static final int TOP = 18;
    static final int BOTTOM = 20;

    /** One day's column: its segments' y and heights, in SVG units (y grows downwards). */
    record Column(String label, String date, long finished, long succeeded, long failed, int x, int textX,
                  int succeededY, int succeededHeight, int failedY, int failedHeight, int otherY, int otherHeight,
                  int totalY, int labelY) {
    }

    static DailyChart of(List<DailyThroughput.Day> days) {
        long max = days.stream().mapToLong(DailyThroughput.Day::finished).max().orElse(0);
        List<Column> columns = new ArrayList<>();
        int x = 0;
        int base = TOP + PLOT_HEIGHT;
        for (DailyThroughput.Day day : days) {
            int succeeded = scale(day.succeeded(), max);
            int failed = scale(day.failed(), max);
            int other = Math.max(0, scale(day.finished(), max) - succeeded - failed);
            int succeededY = base - succeeded;
            int failedY = succeededY - failed;
            int otherY = failedY - other;
            columns.add(new Column(day.day().toString().substring(5), day.day().toString(), day.finished(),
                    day.succeeded(), day.failed(), x, x + COLUMN_WIDTH / 2, succeededY, succeeded, failedY, failed,
                    otherY, other, otherY - 4, base + 15));
            x += COLUMN_WIDTH + GAP;
        }
        return new DailyChart(columns, Math.max(x, COLUMN_WIDTH), base + BOTTOM);
    }

    /** A value's height; a day with any job gets at least 2 units, so it never looks like none. */
    private static int scale(long value, long max) {
        if (max == 0 || value == 0) {
            return 0;
        }
        return (int) Math.max(2, PLOT_HEIGHT * value / max);
    }
}
