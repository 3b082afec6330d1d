package dev.conveyor.job;

import java.util.UUID;
import java.util.regex.Pattern;

/** Human job ids: {@code job_} followed by the 32 lowercase hex digits of the row's uuid. */
public final class JobIds {

    private static final Pattern FORMAT = Pattern.compile("job_[0-9a-f]{32}");

    private JobIds() {
    }

    public static String of(UUID id) {
        return "job_" + id.toString().replace("-", "");
    }

    public static boolean isWellFormed(String jobId) {
        return jobId != null && FORMAT.matcher(jobId).matches();
    }
}
