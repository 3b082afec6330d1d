package dev.conveyor.job;

import java.util.UUID;
import java.util.regex.Pattern;

/** Batch ids: {@code bat_} followed by 32 lowercase hex digits, random, so they say nothing about one another. */
public final class BatchIds {

    private static final Pattern FORMAT = Pattern.compile("bat_[0-9a-f]{32}");

    private BatchIds() {
    }

    public static String next() {
        return "bat_" + UUID.randomUUID().toString().replace("-", "");
    }

    public static boolean isWellFormed(String batchId) {
        return batchId != null && FORMAT.matcher(batchId).matches();
    }
}
