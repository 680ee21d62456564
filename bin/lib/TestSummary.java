import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Prints what the test run did: totals from the Surefire reports, and which backends ran, from the
 * target/backend-runs.txt notes the tests leave (bpf tests that the kernel refused are skipped with a reason).
 * Run by bin/test as a single-file program: java bin/lib/TestSummary.java ROOT
 */
public class TestSummary {
    public static void main(String[] args) throws IOException {
        Path root = Path.of(args[0]);
        int tests = 0, failures = 0, errors = 0, skipped = 0;
        Pattern suite = Pattern.compile("<testsuite [^>]*tests=\"(\\d+)\" errors=\"(\\d+)\" skipped=\"(\\d+)\" failures=\"(\\d+)\"");
        Map<String, int[]> backends = new TreeMap<>();
        Map<String, Integer> reasons = new TreeMap<>();
        // every module the build has, as the root POM lists them, so that a module added later is counted too
        Matcher listed = Pattern.compile("<module>([^<]+)</module>").matcher(Files.readString(root.resolve("pom.xml")));
        while (listed.find()) {
            String module = listed.group(1);
            Path reports = root.resolve(module).resolve("target/surefire-reports");
            if (Files.isDirectory(reports)) {
                try (Stream<Path> files = Files.list(reports)) {
                    for (Path f : files.filter(p -> p.getFileName().toString().startsWith("TEST-")).toList()) {
                        Matcher m = suite.matcher(Files.readString(f));
                        if (m.find()) {
                            tests += Integer.parseInt(m.group(1));
                            errors += Integer.parseInt(m.group(2));
                            skipped += Integer.parseInt(m.group(3));
                            failures += Integer.parseInt(m.group(4));
                        }
                    }
                }
            }
            Path runs = root.resolve(module).resolve("target/backend-runs.txt");
            if (Files.exists(runs)) {
                for (String line : Files.readAllLines(runs)) {
                    String[] parts = line.split("\t", 3);
                    int[] counts = backends.computeIfAbsent(parts[0], k -> new int[2]);
                    if (parts[1].equals("ran")) counts[0]++;
                    else {
                        counts[1]++;
                        reasons.merge(parts[0] + ": " + (parts.length > 2 ? parts[2] : "?"), 1, Integer::sum);
                    }
                }
            }
        }
        System.out.println();
        System.out.println("== mapsync test summary ==");
        System.out.printf("tests: %d run, %d failed, %d errors, %d skipped%n", tests, failures, errors, skipped);
        if (backends.isEmpty()) System.out.println("backends: no backend-specific tests ran");
        backends.forEach((b, c) -> System.out.printf("backend %-4s %s: %d tests ran, %d skipped%n", b,
                c[0] > 0 ? "RAN" : "DID NOT RUN", c[0], c[1]));
        reasons.forEach((r, n) -> System.out.printf("  skipped (%d): %s%n", n, r));
    }
}
