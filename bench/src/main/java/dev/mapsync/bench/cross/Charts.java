package dev.mapsync.bench.cross;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Draws the charts of {@code docs/BENCHMARKS.md} from a {@link Report} JSON file: round-trip latency percentile
 * curves per mode, and counter throughput against the number of processes.
 * Run: {@code java -Djava.awt.headless=true -cp bench/target/benchmarks.jar dev.mapsync.bench.cross.Charts
 * results.json docs/img}.
 */
public final class Charts {
    public static void main(String[] args) throws IOException {
        System.setProperty("java.awt.headless", "true");
        JsonNode doc = new ObjectMapper().readTree(Path.of(args[0]).toFile());
        Path out = Path.of(args[1]);
        Files.createDirectories(out);
        latency(doc, out.resolve("latency-percentiles.png"));
        counters(doc, out.resolve("counter-throughput.png"));
        System.err.println("wrote " + out.resolve("latency-percentiles.png") + " and " + out.resolve("counter-throughput.png"));
    }

    /** Percentile on a "nines" axis (50% = 2x, 99% = 100x, 99.9% = 1000x: 1 / (1 - p)), time on a log axis. */
    private static void latency(JsonNode doc, Path file) throws IOException {
        XYSeriesCollection data = new XYSeriesCollection();
        JsonNode percentiles = doc.get("percentiles");
        for (JsonNode mode : doc.get("latency")) {
            XYSeries s = new XYSeries(mode.get("mode").asText());
            JsonNode curve = mode.get("curve");
            for (int i = 0; i < curve.size() - 1; i++) { // the last point is the maximum, at no finite percentile
                double p = percentiles.get(i).asDouble();
                s.add(100 / (100 - p), curve.get(i).asDouble() / 1e3);
            }
            data.addSeries(s);
        }
        LogAxis x = decades(new LogAxis("percentile, as 1 / (1 - p): 2 = p50, 10 = p90, 100 = p99, 1000 = p99.9, 10000 = p99.99"));
        LogAxis y = decades(new LogAxis("round trip (microseconds)"));
        XYPlot plot = new XYPlot(data, x, y, new XYLineAndShapeRenderer(true, true));
        save(new JFreeChart("Cross-process round trips by percentile", JFreeChart.DEFAULT_TITLE_FONT, plot, true), file);
    }

    private static void counters(JsonNode doc, Path file) throws IOException {
        XYSeriesCollection data = new XYSeriesCollection();
        XYSeries mapsync = new XYSeries("mapsync LongSlots.getAndAdd");
        XYSeries agrona = new XYSeries("Agrona UnsafeBuffer.getAndAddLong");
        XYSeries sharded = new XYSeries("mapsync SharedCounters.add (a cell per process)");
        XYSeries ffm = new XYSeries("JDK VarHandle.getAndAdd, segment in a field (the floor)");
        for (JsonNode r : doc.get("counters")) {
            XYSeries s = switch (r.get("mode").asText()) {
                case "mapsync" -> mapsync;
                case "sharded" -> sharded;
                case "agrona" -> agrona;
                case "ffm-field" -> ffm;
                default -> null; // the VarHandle on a local: the same floor, left out to keep the chart readable
            };
            if (s != null) s.add(r.get("processes").asInt(), r.get("opsPerSecond").asDouble() / 1e6);
        }
        data.addSeries(mapsync);
        data.addSeries(agrona);
        if (ffm.getItemCount() > 0) data.addSeries(ffm);
        if (sharded.getItemCount() > 0) data.addSeries(sharded);
        NumberAxis x = new NumberAxis("processes incrementing one shared counter");
        x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        NumberAxis y = new NumberAxis("million increments per second (all processes)");
        XYPlot plot = new XYPlot(data, x, y, new XYLineAndShapeRenderer(true, true));
        save(new JFreeChart("Throughput against process count", JFreeChart.DEFAULT_TITLE_FONT, plot, true), file);
    }

    /** Ticks at whole powers of ten, labelled as plain numbers. */
    private static LogAxis decades(LogAxis axis) {
        axis.setTickUnit(new org.jfree.chart.axis.NumberTickUnit(1));
        axis.setNumberFormatOverride(new java.text.DecimalFormat("#,##0.###"));
        return axis;
    }

    private static void save(JFreeChart chart, Path file) throws IOException {
        ChartUtils.saveChartAsPNG(file.toFile(), chart, 900, 520);
    }
}
