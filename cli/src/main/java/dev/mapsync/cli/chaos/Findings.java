package dev.mapsync.cli.chaos;

import java.util.ArrayList;
import java.util.List;

/**
 * What went wrong in a round, from any thread of the coordinator: broken invariants, crashed JVMs and hangs
 * (processes or threads that did not get on within their deadline), each with a line that says what.
 */
final class Findings {
    private final List<String> violations = new ArrayList<>();
    private final List<String> crashes = new ArrayList<>();
    private final List<String> hangs = new ArrayList<>();

    synchronized void violation(String what) {
        violations.add(what);
    }

    synchronized void violations(List<String> what) {
        violations.addAll(what);
    }

    synchronized void crash(String what) {
        crashes.add(what);
    }

    synchronized void hang(String what) {
        hangs.add(what);
    }

    synchronized int violationCount() {
        return violations.size();
    }

    synchronized int crashCount() {
        return crashes.size();
    }

    synchronized int hangCount() {
        return hangs.size();
    }

    synchronized boolean clean() {
        return violations.isEmpty() && crashes.isEmpty() && hangs.isEmpty();
    }

    /** What was found so far, as report lines, and how many of each; starts afresh. */
    synchronized Snapshot take() {
        Snapshot s = new Snapshot(violations.size(), crashes.size(), hangs.size(), lines());
        violations.clear();
        crashes.clear();
        hangs.clear();
        return s;
    }

    /** The findings of a round. */
    record Snapshot(int violations, int crashes, int hangs, List<String> lines) {}

    /** Every finding as a report line. */
    synchronized List<String> lines() {
        List<String> lines = new ArrayList<>();
        violations.forEach(v -> lines.add("  VIOLATION: " + v));
        crashes.forEach(c -> lines.add("  CRASH: " + c));
        hangs.forEach(h -> lines.add("  HANG: " + h));
        return lines;
    }
}
