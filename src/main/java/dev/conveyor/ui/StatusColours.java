package dev.conveyor.ui;

/** One colour per job status, the same on every page, chosen to stay apart for the common colour blindnesses. */
final class StatusColours {

    private StatusColours() {
    }

    static String of(String status) {
        return switch (status) {
            case "SUCCESS" -> "#1b7f3b";
            case "PARTIAL_SUCCESS" -> "#5a9e2f";
            case "FAILED" -> "#b3261e";
            case "DEAD_LETTERED" -> "#7a1d8c";
            case "CANCELLED" -> "#6b6b6b";
            case "RUNNING" -> "#1f5fbf";
            case "RETRYING" -> "#c77700";
            default -> "#3b6e8f";
        };
    }
}
