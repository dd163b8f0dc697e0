package dev.attention4j.cli;

import java.util.ArrayList;
import java.util.List;

/** The text of a demo run and the outcome of its checks. Collects lines; the command prints them. */
final class DemoReport {

    private final List<String> lines = new ArrayList<>();
    private int checks;
    private int failedChecks;

    void line(String text) {
        lines.add(text);
    }

    void lines(List<String> text) {
        lines.addAll(text);
    }

    /** A check line: {@code check: <what>: ok} or {@code FAILED}. */
    void check(String what, boolean passed) {
        checks++;
        if (!passed) {
            failedChecks++;
        }
        lines.add("  check: " + what + ": " + (passed ? "ok" : "FAILED"));
    }

    List<String> lines() {
        return List.copyOf(lines);
    }

    int checks() {
        return checks;
    }

    int failedChecks() {
        return failedChecks;
    }
}
