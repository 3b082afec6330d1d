package dev.conveyor.ui;

/** How long the oldest due job of a lane or type has waited, as a person reads it: "45 s", "3 min 5 s", "2 h 10 min". */
final class WaitingAge {

    private WaitingAge() {
    }

    /** {@code seconds} null: nothing is due, written as a dash. */
    static String of(Long seconds) {
        if (seconds == null) {
            return "–";
        }
        long s = seconds;
        if (s < 60) {
            return s + " s";
        }
        if (s < 3600) {
            return s / 60 + " min " + s % 60 + " s";
        }
        if (s < 86_400) {
            return s / 3600 + " h " + s % 3600 / 60 + " min";
        }
        return s / 86_400 + " d " + s % 86_400 / 3600 + " h";
    }
}
