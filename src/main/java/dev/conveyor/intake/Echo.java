package dev.conveyor.intake;

/**
 * A caller's value as an error message may repeat it: at most {@value #MAX} characters, control characters
 * shown as escapes. A 900 KB type name gets a short answer, and a log line stays one line. Public: the schedules
 * API (schedule/) echoes what callers send the same way.
 */
public final class Echo {

    static final int MAX = 200;

    private Echo() {
    }

    public static String of(String value) {
        if (value == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder(Math.min(value.length(), MAX) + 32);
        int shown = Math.min(value.length(), MAX);
        for (int i = 0; i < shown; i++) {
            char c = value.charAt(i);
            if (Character.isISOControl(c)) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        if (value.length() > MAX) {
            out.append("… (").append(value.length()).append(" characters in all)");
        }
        return out.toString();
    }
}
