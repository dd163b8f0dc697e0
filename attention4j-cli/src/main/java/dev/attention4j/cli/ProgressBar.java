package dev.attention4j.cli;

import java.io.Console;
import java.io.PrintWriter;
import java.lang.reflect.Method;
import java.util.Locale;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Progress of long work (training, evaluation, downloads), one line:
 * <pre>
 * train  [####................]  1200/5000   24%  loss 1.234  5.1k tok/s  ETA 2m31s
 * </pre>
 * On a {@linkplain Output#TERMINAL terminal} the line is redrawn in place with {@code '\r'}, at most ten times a
 * second. In a {@linkplain Output#LOG log} (output redirected to a file or a CI console) a full line is printed when
 * another tenth of the work is done or {@link #LOG_INTERVAL_NANOS} have passed, whichever comes first, and never a
 * {@code '\r'}, so logs stay readable. The first update and the last ({@code done == total}) are always shown.
 *
 * <p>The ETA divides the work left by an exponential moving average of the rate, sampled at most every
 * {@link #SAMPLE_NANOS} with a time constant of {@link #RATE_TIME_CONSTANT_NANOS} (a speed measured {@code t} seconds
 * ago weighs {@code e^(-t/10)}), so it follows a change of pace within seconds without jumping at every step. The rate
 * starts at the first update, not at construction, so work resumed halfway does not look instantaneous. Work with a
 * time budget ({@link #finishBy}) never shows an ETA beyond the budget's end.
 *
 * <p>Lines of their own (a validation result) go through {@link #println}, which keeps them clear of the redrawn bar.
 *
 * <p>Use from one thread at a time (the methods are synchronized, so a stray call from another thread cannot tear a
 * line). The time source is injectable for tests.
 */
final class ProgressBar {

    /** Where the bar goes, which decides how it is drawn. */
    enum Output {
        /** An interactive terminal: one line redrawn in place. */
        TERMINAL,
        /** A file, a pipe or a CI log: whole lines, throttled, no carriage returns. */
        LOG;

        /**
         * {@link #TERMINAL} when this process's standard streams are a terminal, else {@link #LOG}. Uses
         * {@code System.console()}, and on JDK 22+ also {@code Console.isTerminal()}, since there a console object
         * exists even when output is redirected.
         */
        static Output detect() {
            Console console = System.console();
            if (console == null) {
                return LOG;
            }
            try {
                Method isTerminal = Console.class.getMethod("isTerminal"); // JDK 22+
                return Boolean.TRUE.equals(isTerminal.invoke(console)) ? TERMINAL : LOG;
            } catch (NoSuchMethodException e) {
                return TERMINAL; // JDK 21: a non-null console is a terminal
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("Console.isTerminal() exists but could not be called", e);
            }
        }
    }

    /** Shortest time between two redraws on a terminal: 0.1 s. */
    static final long REDRAW_NANOS = 100_000_000L;
    /** Longest time between two lines in a log: 30 s. */
    static final long LOG_INTERVAL_NANOS = 30_000_000_000L;
    /** Shortest time between two rate samples: 0.5 s. */
    static final long SAMPLE_NANOS = 500_000_000L;
    /** The moving average's time constant: 10 s. */
    static final long RATE_TIME_CONSTANT_NANOS = 10_000_000_000L;
    /** Cells in the bar. */
    static final int BAR_CELLS = 20;

    private final PrintWriter out;
    private final String label;
    private final long total;
    private final Output output;
    private final LongSupplier nanoTime;
    private final long startNanos;
    private final int totalDigits;

    private boolean started;
    private boolean shownOnce;
    private boolean finished;
    private long done;
    /** Nanos of the last line drawn or printed. */
    private long lastShownNanos;
    /** In a log: the tenth of the work the last printed line was in. */
    private long lastShownTenth;
    /** Columns of the line now on the terminal, to blank what a shorter redraw leaves. */
    private int shownWidth;
    private long sampleNanos;
    private long sampleDone;
    /** Work per second, or NaN before the second sample. */
    private double rate = Double.NaN;
    /** The clock reading by which the work stops (a time budget), or null for none. */
    private Long deadlineNanos;

    /** A bar timed by {@link System#nanoTime()}. */
    ProgressBar(PrintWriter out, String label, long total, Output output) {
        this(out, label, total, output, System::nanoTime);
    }

    /**
     * @param total the amount of work, {@code >= 1}, in any unit (steps, batches, bytes)
     * @param nanoTime a monotonic clock in nanoseconds, like {@link System#nanoTime()}
     */
    ProgressBar(PrintWriter out, String label, long total, Output output, LongSupplier nanoTime) {
        this.out = Objects.requireNonNull(out, "out");
        this.label = oneLine(Objects.requireNonNull(label, "label"));
        this.output = Objects.requireNonNull(output, "output");
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
        if (total < 1) {
            throw new IllegalArgumentException("total: expected at least 1 but got " + total);
        }
        this.total = total;
        this.totalDigits = Long.toString(total).length();
        this.startNanos = nanoTime.getAsLong();
    }

    /**
     * Says that the work stops by {@code deadlineNanos} (a reading of this bar's clock), done or not, as a run with a
     * time budget does: from now on the ETA is the sooner of the rate's estimate and the time left, and is known from
     * the first update.
     */
    synchronized void finishBy(long deadlineNanos) {
        this.deadlineNanos = deadlineNanos;
    }

    /**
     * Prints {@code line} (for example a validation result) as a line of its own above the bar. On a terminal the bar
     * is blanked first and redrawn at the next update; in a log the line simply follows the last one.
     *
     * @throws IllegalStateException after {@link #finish}
     */
    synchronized void println(String line) {
        Objects.requireNonNull(line, "line");
        if (finished) {
            throw new IllegalStateException("println after finish() of progress bar '" + label + "'");
        }
        String text = oneLine(line);
        if (output == Output.TERMINAL && shownWidth > 0) {
            out.print('\r');
            out.print(text);
            out.print(" ".repeat(Math.max(0, shownWidth - DisplayWidth.of(text))));
            shownWidth = 0;
            shownOnce = false; // the next update redraws the bar below the line
        } else {
            out.print(text);
        }
        out.print('\n');
        out.flush();
    }

    /** {@link #update(long, String)} with no extra fields. */
    void update(long done) {
        update(done, "");
    }

    /**
     * Records that {@code done} of the total is done and shows it if the throttle allows.
     *
     * @param fields shown after the percentage, e.g. {@code "loss 1.234  5.1k tok/s"}; {@code ""} for none
     * @throws IllegalArgumentException if {@code done} is outside {@code [0, total]}
     * @throws IllegalStateException after {@link #finish}
     */
    synchronized void update(long done, String fields) {
        Objects.requireNonNull(fields, "fields");
        if (done < 0 || done > total) {
            throw new IllegalArgumentException("done: expected 0.." + total + " but got " + done);
        }
        if (finished) {
            throw new IllegalStateException("update(" + done + ") after finish() of progress bar '" + label + "'");
        }
        long now = nanoTime.getAsLong();
        this.done = done;
        sample(now, done);
        if (shouldShow(now, done)) {
            String line = line(fields, "ETA " + eta(now));
            show(line, now);
        }
    }

    /**
     * Shows the final state with {@code summary} (e.g. {@code "loss 0.912"}) and the time taken, and ends the line.
     * Later calls to {@code finish} do nothing.
     */
    synchronized void finish(String summary) {
        Objects.requireNonNull(summary, "summary");
        if (finished) {
            return;
        }
        finished = true;
        long now = nanoTime.getAsLong();
        String line = line(summary, "took " + duration((now - startNanos) / 1e9));
        if (output == Output.TERMINAL) {
            out.print('\r');
            out.print(line);
            out.print(" ".repeat(Math.max(0, shownWidth - DisplayWidth.of(line))));
            out.print('\n');
        } else {
            out.print(line);
            out.print('\n');
        }
        out.flush();
    }

    private void sample(long now, long done) {
        if (!started) {
            started = true;
            sampleNanos = now;
            sampleDone = done;
            return;
        }
        long dt = now - sampleNanos;
        if (done < sampleDone) { // the caller went back: start measuring again
            sampleNanos = now;
            sampleDone = done;
            return;
        }
        if (dt < SAMPLE_NANOS) {
            return;
        }
        double sampled = (done - sampleDone) / (dt / 1e9);
        if (Double.isNaN(rate)) {
            rate = sampled;
        } else {
            double alpha = 1 - Math.exp(-(double) dt / RATE_TIME_CONSTANT_NANOS);
            rate += alpha * (sampled - rate);
        }
        sampleNanos = now;
        sampleDone = done;
    }

    private boolean shouldShow(long now, long done) {
        if (!shownOnce) {
            return true;
        }
        long since = now - lastShownNanos;
        return switch (output) {
            case TERMINAL -> since >= REDRAW_NANOS || done == total;
            case LOG -> tenth(done) > lastShownTenth || since >= LOG_INTERVAL_NANOS; // the end is the eleventh tenth
        };
    }

    private void show(String line, long now) {
        if (output == Output.TERMINAL) {
            int width = DisplayWidth.of(line);
            out.print('\r');
            out.print(line);
            out.print(" ".repeat(Math.max(0, shownWidth - width)));
            shownWidth = width;
        } else {
            out.print(line);
            out.print('\n');
        }
        out.flush();
        shownOnce = true;
        lastShownNanos = now;
        lastShownTenth = tenth(done);
    }

    private long tenth(long done) {
        return done == total ? 10 : Math.min(9, (long) (10.0 * done / total));
    }

    /** {@code label  [####....]  done/total  pct%  fields  tail}. */
    private String line(String fields, String tail) {
        int percent = done == total ? 100 : (int) Math.min(99, Math.floor(100.0 * done / total));
        int filled = done == total ? BAR_CELLS : (int) Math.min(BAR_CELLS - 1, Math.floor((double) BAR_CELLS * done
                / total));
        StringBuilder s = new StringBuilder(96);
        if (!label.isEmpty()) {
            s.append(label).append("  ");
        }
        s.append('[').append("#".repeat(filled)).append(".".repeat(BAR_CELLS - filled)).append("]  ");
        String count = Long.toString(done);
        s.append(" ".repeat(totalDigits - count.length())).append(count).append('/').append(total);
        s.append(String.format(Locale.ROOT, "  %3d%%", percent));
        if (!fields.isBlank()) {
            s.append("  ").append(oneLine(fields.strip()));
        }
        return s.append("  ").append(tail).toString();
    }

    /** Line breaks in caller text would break the redraw and the log; they become spaces. */
    private static String oneLine(String text) {
        return text.replace('\r', ' ').replace('\n', ' ');
    }

    private String eta(long now) {
        if (done == total) {
            return "0s";
        }
        double seconds = rate > 0 ? (total - done) / rate : Double.POSITIVE_INFINITY;
        if (deadlineNanos != null) {
            seconds = Math.min(seconds, Math.max(0, (deadlineNanos - now) / 1e9));
        }
        return duration(seconds);
    }

    /** {@code 59s}, {@code 2m31s}, {@code 1h02m} (whole seconds, rounded; minutes once past an hour); {@code --} if unknown. */
    static String duration(double seconds) {
        if (!Double.isFinite(seconds) || seconds < 0) {
            return "--";
        }
        long s = Math.round(seconds);
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
        long minutes = Math.round(seconds / 60);
        return String.format(Locale.ROOT, "%dh%02dm", minutes / 60, minutes % 60);
    }

    /**
     * A count or rate in at most three significant figures, with an SI suffix from a thousand on: {@code 512},
     * {@code 0.25}, {@code 5.1k}, {@code 12.3k}, {@code 123k}, {@code 4.2M}. For fields like {@code "5.1k tok/s"}.
     */
    static String compact(double value) {
        if (!Double.isFinite(value)) {
            return String.valueOf(value);
        }
        String[] suffixes = {"", "k", "M", "G", "T"};
        int power = 0;
        double v = value;
        while (power < suffixes.length - 1 && Math.abs(v) >= 999.5) {
            v /= 1000;
            power++;
        }
        double a = Math.abs(v);
        String pattern;
        if (power == 0 && v == Math.rint(v)) {
            pattern = "%.0f";
        } else if (a >= 99.95) {
            pattern = "%.0f";
        } else if (a >= 9.995 || power > 0) {
            pattern = "%.1f";
        } else {
            pattern = "%.2f";
        }
        return String.format(Locale.ROOT, pattern, v) + suffixes[power];
    }
}
