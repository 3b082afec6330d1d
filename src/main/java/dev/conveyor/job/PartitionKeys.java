package dev.conveyor.job;

/** {@code marketplace:category[:region]}: the key that keeps one listing's jobs together. */
public final class PartitionKeys {

    private PartitionKeys() {
    }

    /** The key, or null for a job that belongs to no listing. */
    public static String of(String marketplace, String category, String region) {
        if (marketplace == null && category == null) {
            return null;
        }
        String key = marketplace + ":" + category;
        return region == null ? key : key + ":" + region;
    }
}
