package dev.conveyor.schedule;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import dev.conveyor.intake.Echo;
import org.springframework.scheduling.support.CronExpression;

/**
 * A schedule's cron expression, read by Spring's {@link CronExpression}: the standard 5 fields (minute hour
 * day-of-month month day-of-week), 6 with seconds first, or a macro ({@code @hourly}, {@code @daily},
 * {@code @midnight}, {@code @weekly}, {@code @monthly}, {@code @yearly}, {@code @annually}). Spring's parser only
 * takes 6 fields, so a 5-field expression is given a "0" seconds field, firing at the start of its minute.
 */
public final class Cron {

    private static final List<String> FIELDS = List.of("second", "minute", "hour", "day-of-month", "month",
            "day-of-week");

    private static final int MAX_LENGTH = 256;

    private final String text;
    private final CronExpression expression;

    private Cron(String text, CronExpression expression) {
        this.text = text;
        this.expression = expression;
    }

    /**
     * @throws InvalidCronException naming the cron field at fault (such as "minute field '61': ...") when the
     *                              expression cannot be read
     */
    public static Cron parse(String text) {
        if (text == null || text.isBlank()) {
            throw new InvalidCronException("is required, e.g. '0 2 * * *' (02:00 every day) or '@hourly'");
        }
        String trimmed = text.trim();
        if (trimmed.length() > MAX_LENGTH) {
            throw new InvalidCronException("is " + trimmed.length() + " characters long; at most " + MAX_LENGTH);
        }
        if (trimmed.startsWith("@")) {
            try {
                return new Cron(trimmed, CronExpression.parse(trimmed.toLowerCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new InvalidCronException("'" + Echo.of(trimmed) + "' is not a macro; use @yearly, @annually, @monthly, "
                        + "@weekly, @daily, @midnight or @hourly");
            }
        }
        String[] fields = trimmed.split("\\s+");
        if (fields.length != 5 && fields.length != 6) {
            throw new InvalidCronException("has " + fields.length + " fields; give 5 (minute hour day-of-month month "
                    + "day-of-week), 6 (a seconds field first) or a macro such as @daily");
        }
        String six = fields.length == 5 ? "0 " + String.join(" ", fields) : String.join(" ", fields);
        try {
            return new Cron(trimmed, CronExpression.parse(six));
        } catch (IllegalArgumentException e) {
            throw new InvalidCronException(faultyFields(six.split(" "), fields.length == 5));
        }
    }

    /** The first tick strictly after {@code after}, in {@code zone}; null when the expression never fires again. */
    public Instant next(Instant after, ZoneId zone) {
        ZonedDateTime next = expression.next(after.atZone(zone));
        return next == null ? null : next.toInstant();
    }

    /** The expression as it was given. */
    public String text() {
        return text;
    }

    /**
     * Which fields the parser refuses: each is tried alone, every other field a wildcard, so the message names the
     * field (and Spring's reason) instead of only saying the whole expression is wrong.
     */
    private static String faultyFields(String[] six, boolean secondsAdded) {
        List<String> faults = new ArrayList<>();
        for (int i = secondsAdded ? 1 : 0; i < six.length; i++) {
            String[] probe = {"*", "*", "*", "*", "*", "*"};
            probe[i] = six[i];
            try {
                CronExpression.parse(String.join(" ", probe));
            } catch (IllegalArgumentException e) {
                faults.add(FIELDS.get(i) + " field '" + Echo.of(six[i]) + "': " + reason(e));
            }
        }
        if (faults.isEmpty()) {
            // each field reads alone, but not together (such as day 31 of February)
            faults.add("its fields never match a date together");
        }
        return String.join("; ", faults);
    }

    private static String reason(IllegalArgumentException e) {
        String message = e.getMessage() == null ? "not a valid value" : e.getMessage();
        int cut = message.indexOf(" in cron expression");
        return cut > 0 ? message.substring(0, cut) : message;
    }

    /** A cron expression that cannot be read; the message says why, without the field's name. */
    public static final class InvalidCronException extends IllegalArgumentException {

        InvalidCronException(String message) {
            super(message);
        }
    }
}
