package dev.attention4j.viz;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;

/**
 * Tick values and labels for one axis: "nice" numbers (1, 2 or 5 times a power of ten) on a linear axis, decades (or
 * 1-2-5 / 1..9 multiples of a decade when the range is narrow) on a log axis.
 *
 * @param major labelled ticks, with grid lines, ascending
 * @param minor unlabelled grid lines (log axes), ascending; values in data units
 */
record Ticks(List<Tick> major, List<Double> minor) {

    /** One labelled tick, {@code value} in data units. */
    record Tick(double value, String label) {
    }

    /** Labels switch to k / M / G suffixes from this magnitude (so steps read "10k", not "10000"). */
    private static final double SUFFIX_FROM = 1e4;
    /** Plain decimals up to this many places; smaller steps are written as 2e-7. */
    private static final int MAX_PLAIN_DECIMALS = 5;

    Ticks {
        major = List.copyOf(major);
        minor = List.copyOf(minor);
    }

    /** About {@code target} ticks at multiples of a 1-2-5 step inside {@code [lo, hi]}; requires {@code lo < hi}. */
    static Ticks linear(double lo, double hi, int target) {
        int parts = Math.max(1, target);
        BigDecimal step = niceStep(hi / parts - lo / parts); // no overflow for ranges near Double.MAX_VALUE
        double s = step.doubleValue();
        if (Math.max(Math.abs(lo), Math.abs(hi)) / s > 1e12) {
            // A span too narrow for its magnitude to count steps in: label the two ends.
            return new Ticks(List.of(new Tick(lo, scientific(new BigDecimal(lo), 8)),
                    new Tick(hi, scientific(new BigDecimal(hi), 8))), List.of());
        }
        long first = (long) Math.ceil(lo / s - 1e-9);
        long last = (long) Math.floor(hi / s + 1e-9);
        int decimals = Math.max(0, step.stripTrailingZeros().scale());
        double magnitude = Math.max(Math.abs(lo), Math.abs(hi));
        List<Tick> ticks = new ArrayList<>();
        for (long k = first; k <= last; k++) {
            BigDecimal value = step.multiply(BigDecimal.valueOf(k));
            ticks.add(new Tick(value.doubleValue(), linearLabel(value, decimals, magnitude, step)));
        }
        return new Ticks(ticks, List.of());
    }

    /** Ticks for a log axis over {@code [lo, hi]}, {@code 0 < lo < hi}. */
    static Ticks log(double lo, double hi, int target) {
        double a = Math.log10(lo);
        double b = Math.log10(hi);
        int firstDecade = (int) Math.ceil(a - 1e-9);
        int lastDecade = (int) Math.floor(b + 1e-9);
        int decades = lastDecade - firstDecade + 1;
        if (decades >= 3) {
            int every = Math.max(1, (int) Math.ceil(decades / (double) Math.max(2, target)));
            List<Tick> major = new ArrayList<>();
            for (int d = firstDecade; d <= lastDecade; d++) {
                if (Math.floorMod(d, every) == 0) {
                    major.add(logTick(1, d));
                }
            }
            List<Double> minor = new ArrayList<>();
            if (every == 1 && b - a <= 8) {
                for (int d = firstDecade - 1; d <= lastDecade; d++) {
                    for (int m = 2; m <= 9; m++) {
                        double v = m * Math.pow(10, d);
                        if (v >= lo && v <= hi) {
                            minor.add(v);
                        }
                    }
                }
            } else if (every > 1) {
                for (int d = firstDecade; d <= lastDecade; d++) {
                    if (Math.floorMod(d, every) != 0) {
                        minor.add(Math.pow(10, d));
                    }
                }
            }
            return new Ticks(major, minor);
        }
        // A narrow range: two decade lines or fewer. Label 1-2-5 multiples, or every multiple 1..9, or fall back to
        // linear ticks placed on the log axis.
        for (int[] mantissas : new int[][] {{1, 2, 5}, {1, 2, 3, 4, 5, 6, 7, 8, 9}}) {
            List<Tick> major = new ArrayList<>();
            List<Double> minor = new ArrayList<>();
            for (int d = firstDecade - 1; d <= lastDecade; d++) {
                for (int m = 1; m <= 9; m++) {
                    double v = m * Math.pow(10, d);
                    if (v < lo * (1 - 1e-12) || v > hi * (1 + 1e-12)) {
                        continue;
                    }
                    if (contains(mantissas, m)) {
                        major.add(logTick(m, d));
                    } else {
                        minor.add(v);
                    }
                }
            }
            if (major.size() >= 3 || (major.size() >= 2 && mantissas.length == 9)) {
                return new Ticks(major, minor);
            }
        }
        return linear(lo, hi, target);
    }

    private static boolean contains(int[] values, int v) {
        for (int x : values) {
            if (x == v) {
                return true;
            }
        }
        return false;
    }

    /**
     * 1, 2 or 5 times a power of ten, the one nearest {@code rough} on a log scale (Heckbert's "nice numbers"), so a
     * range split into about {@code target} parts gets between 0.6 and 1.5 times that many.
     */
    static BigDecimal niceStep(double rough) {
        int exponent = (int) Math.floor(Math.log10(rough));
        double fraction = rough / Math.pow(10, exponent);
        int mantissa;
        if (fraction < 1.5) {
            mantissa = 1;
        } else if (fraction < 3) {
            mantissa = 2;
        } else if (fraction < 7) {
            mantissa = 5;
        } else {
            mantissa = 1;
            exponent++;
        }
        return BigDecimal.ONE.scaleByPowerOfTen(exponent).multiply(BigDecimal.valueOf(mantissa));
    }

    private static String linearLabel(BigDecimal value, int decimals, double magnitude, BigDecimal step) {
        if (value.signum() == 0) {
            return "0";
        }
        if (magnitude >= SUFFIX_FROM && magnitude < 1e15) {
            int power = magnitude >= 1e12 ? 12 : magnitude >= 1e9 ? 9 : magnitude >= 1e6 ? 6 : 3;
            int scaledDecimals = Math.max(0, step.scaleByPowerOfTen(-power).stripTrailingZeros().scale());
            if (scaledDecimals <= 2) {
                String suffix = switch (power) {
                    case 3 -> "k";
                    case 6 -> "M";
                    case 9 -> "G";
                    default -> "T";
                };
                return value.scaleByPowerOfTen(-power).setScale(scaledDecimals).toPlainString() + suffix;
            }
        }
        if (decimals <= MAX_PLAIN_DECIMALS && magnitude < 1e15) {
            return value.setScale(decimals).toPlainString();
        }
        return scientific(value, 3);
    }

    private static Tick logTick(int mantissa, int exponent) {
        BigDecimal value = BigDecimal.valueOf(mantissa).scaleByPowerOfTen(exponent);
        String label;
        if (exponent >= -3 && exponent < 4) {
            label = value.stripTrailingZeros().toPlainString();
        } else if (exponent >= 4 && exponent < 15) {
            label = linearLabel(value, 0, value.doubleValue(), value);
        } else {
            label = scientific(value, 3);
        }
        return new Tick(value.doubleValue(), label);
    }

    /** {@code 2e-7}, {@code 1.5e20}: at most {@code digits} significant digits. */
    private static String scientific(BigDecimal value, int digits) {
        if (value.signum() == 0) {
            return "0";
        }
        BigDecimal v = value.round(new MathContext(digits)).stripTrailingZeros();
        int exponent = v.precision() - v.scale() - 1;
        BigDecimal mantissa = v.scaleByPowerOfTen(-exponent).stripTrailingZeros();
        return mantissa.toPlainString() + "e" + exponent;
    }
}
