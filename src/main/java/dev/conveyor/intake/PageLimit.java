package dev.conveyor.intake;

/**
 * How many items a page of a list holds: {@code ?limit=}, from 1 to {@value #MAX}, {@value #DEFAULT} when not
 * given. Spring converts the query parameter with {@link #valueOf}, the one place it is parsed.
 */
public record PageLimit(int value) {

    static final String DEFAULT = "50";
    static final int MAX = 500;

    public static PageLimit valueOf(String text) {
        try {
            int limit = Integer.parseInt(text.trim());
            if (limit >= 1 && limit <= MAX) {
                return new PageLimit(limit);
            }
        } catch (NumberFormatException ignored) {
            // refused below
        }
        throw ProblemException.badRequest("'limit' must be an integer from 1 to " + MAX);
    }
}
