package dev.conveyor.support;

import java.util.List;

/** Percentiles as PostgreSQL's {@code percentile_cont} computes them (linear interpolation), to check its answers. */
public final class Percentiles {

    private Percentiles() {
    }

    public static double continuous(List<Double> values, double fraction) {
        List<Double> sorted = values.stream().sorted().toList();
        double position = fraction * (sorted.size() - 1);
        int below = (int) Math.floor(position);
        int above = (int) Math.ceil(position);
        return sorted.get(below) + (position - below) * (sorted.get(above) - sorted.get(below));
    }
}
