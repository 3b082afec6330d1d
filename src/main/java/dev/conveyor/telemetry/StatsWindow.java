package dev.conveyor.telemetry;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The time window of {@code GET /jobs/stats}: a number of minutes, hours or days ({@code 15m}, {@code 1h},
 * {@code 24h}, {@code 7d}) or an ISO-8601 duration ({@code PT30M}, {@code P2D}), from 1 minute to 31 days.
 * Longer spans are what job_daily_stats is for; the cap keeps one request from scanning the whole jobs table.
 *
 * @param text   the window as asked for (or {@link #DEFAULT})
 * @param length its length
 */
public record StatsWindow(String text, Duration length) {

    public static final String DEFAULT = "1h";
    public static final Duration MIN = Duration.ofMinutes(1);
    public static final Duration MAX = Duration.ofDays(31);

    private static final Pattern SHORT = Pattern.compile("(\\d{1,6})([mhd])");

    /**
     * Reads a window; null or blank is the default, one hour.
     *
     * @throws IllegalArgumentException saying what is accepted, when {@code text} is not a window
     */
    public static StatsWindow parse(String text) {
        if (text == null || text.isBlank()) {
            return new StatsWindow(DEFAULT, Duration.ofHours(1));
        }
        String trimmed = text.trim();
        Duration length = shortForm(trimmed);
        if (length == null) {
            try {
                length = Duration.parse(trimmed.toUpperCase(Locale.ROOT));
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("'window' must be minutes, hours or days such as 15m, 1h, 24h "
                        + "or 7d, or an ISO-8601 duration such as PT30M; was '" + trimmed + "'");
            }
        }
        if (length.compareTo(MIN) < 0 || length.compareTo(MAX) > 0) {
            throw new IllegalArgumentException("'window' must be from 1m to 31d (longer spans: the job_daily_stats "
                    + "table); was '" + trimmed + "'");
        }
        return new StatsWindow(trimmed, length);
    }

    private static Duration shortForm(String text) {
        Matcher matcher = SHORT.matcher(text);
        if (!matcher.matches()) {
            return null;
        }
        long amount = Long.parseLong(matcher.group(1));
        return switch (matcher.group(2)) {
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofDays(amount);
        };
    }
}
