package dev.mapsync.cli.demo;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one phase of the demo found: whether every check held, the figures for the JSON report, and the lines of
 * the text report.
 */
public record PhaseResult(String name, boolean ok, Map<String, Object> figures, List<String> report) {
    public PhaseResult {
        figures = new LinkedHashMap<>(figures);
        report = List.copyOf(report);
    }
}
