package dev.mapsync.readme;

import dev.mapsync.MapInfo;
import dev.mapsync.SharedMaps;
import dev.mapsync.launch.ChildJvm;
import dev.mapsync.testkit.TestDirs;
import dev.mapsync.testkit.TestJvm;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The README's Java examples are code that compiles and runs: {@link ReadmeExamples} holds every {@code ```java}
 * block of README.md but the Micrometer one, which the micrometer module's tests hold and run (core's tests cannot
 * compile it), and runs those that run on the shm backend.
 */
class ReadmeExamplesTest {
    /** What marks a line of {@link ReadmeExamples} that sits between two lines of a block but is not in the README. */
    static final String NOT_IN_README = "(not in README)";

    /** A {@code ```java} block of the README: its section heading, its first line's number, and its lines. */
    record Block(String section, int line, List<String> lines) {
        @Override
        public String toString() {
            return "the java block of README.md line " + line + " (section \"" + section + "\")";
        }
    }

    @Test
    void everyJavaBlockOfTheReadmeIsInTheExamplesInOrder() throws IOException {
        List<Block> blocks = javaBlocks(Files.readAllLines(readme()));
        assertEquals(9, blocks.size(), "java blocks in README.md: " + blocks);
        // each file holds its blocks in the README's order: core's all but the Micrometer and replica ones, the
        // micrometer and replicate modules' those
        List<String> core = Files.readAllLines(coreExamples());
        List<String> micrometer = Files.readAllLines(micrometerExample());
        List<String> replicate = Files.readAllLines(projectRoot().resolve(
                "replicate/src/test/java/dev/mapsync/replicate/ReadmeExample.java"));
        int fromCore = 0, fromMicrometer = 0, fromReplicate = 0;
        for (Block block : blocks) {
            if (block.section().contains("Micrometer")) {
                fromMicrometer = find(block, micrometer, imports(micrometer), fromMicrometer);
            } else if (block.section().contains("replicas")) {
                fromReplicate = find(block, replicate, imports(replicate), fromReplicate);
            } else {
                fromCore = find(block, core, imports(core), fromCore);
            }
        }
    }

    private static List<String> imports(List<String> source) {
        return source.stream().map(String::strip).filter(l -> l.startsWith("import ")).toList();
    }

    /**
     * Where {@code block} ends in {@code source}, searched from line index {@code from}: its import lines must be among
     * the source's imports, and its other lines must follow one another there (leading spaces and blank lines aside),
     * with nothing between them but lines marked {@link #NOT_IN_README}.
     */
    private static int find(Block block, List<String> source, List<String> imports, int from) {
        List<String> code = new ArrayList<>();
        for (String line : block.lines()) {
            if (!line.startsWith("import ")) code.add(line);
            else if (!imports.contains(line)) fail(block + ": the example sources lack its line '" + line + "'");
        }
        String closest = null;
        for (int start = from; start < source.size(); start++) {
            if (!source.get(start).strip().equals(code.getFirst())) continue;
            int matched = 1;
            int at = start + 1;
            while (matched < code.size() && at < source.size()) {
                String line = source.get(at).strip();
                if (line.equals(code.get(matched))) {
                    matched++;
                } else if (!line.isEmpty() && !line.endsWith(NOT_IN_README)) {
                    break;
                }
                at++;
            }
            if (matched == code.size()) return at;
            String found = at < source.size() ? "line " + (at + 1) + " '" + source.get(at).strip() + "'" : "the end";
            closest = "its line '" + code.get(matched) + "' is not in the example sources where the lines before it"
                    + " are (line " + (start + 1) + " on): found " + found;
        }
        return fail(block + " has drifted from the example sources (ReadmeExamples.java; micrometer's ReadmeExample.java for the Micrometer block): " + (closest != null ? closest
                : "its first line '" + code.getFirst() + "' is not there after the blocks before it"));
    }

    /** The README's {@code ```java} blocks, their lines stripped of surrounding spaces, blank lines left out. */
    static List<Block> javaBlocks(List<String> readme) {
        List<Block> blocks = new ArrayList<>();
        String section = "";
        boolean fenced = false; // in a block of another language, whose '#' lines are comments, not headings
        for (int i = 0; i < readme.size(); i++) {
            String line = readme.get(i);
            if (!fenced && line.startsWith("#")) section = line.replaceFirst("^#+\\s*", "");
            if (!line.strip().equals("```java")) {
                if (line.strip().startsWith("```")) fenced = !fenced;
                continue;
            }
            List<String> lines = new ArrayList<>();
            int first = i + 2;
            for (i++; i < readme.size() && !readme.get(i).strip().equals("```"); i++) {
                if (!readme.get(i).isBlank()) lines.add(readme.get(i).strip());
            }
            blocks.add(new Block(section, first, lines));
        }
        return blocks;
    }

    @Test
    void theExamplesRunOnTheShmBackend() {
        Path dir = TestDirs.create();
        try (ChildJvm child = TestJvm.of(ReadmeExamples.class).prefix(List.of("env", "MAPSYNC_DIR=" + dir)).start()) {
            child.awaitSuccess(120);
            long pid = child.pid();
            assertEquals(List.of(
                    "quick start: get(7) = Account[id=7, balance=100, owner=ada]",
                    "quick start: seen = 1, slot 4 = 42",
                    // 100 and 100, then 10 moved from 1 to 2; entry 7: 100, less 10 atomically, plus 5 by update
                    "locks: Account[id=1, balance=90, owner=ada] Account[id=2, balance=110, owner=bob]"
                            + " Account[id=7, balance=95, owner=ada]",
                    // the only change made while the cursor was open, the first the change log recorded
                    "3 changed (seq 1, pid " + pid + ")",
                    "Change[key=5, seq=2, pid=" + pid + "]",
                    "hash: get = Session[user=42, expires=1767225600, ip=10.0.0.7]",
                    "4b1d9c=Session[user=42, expires=1767229200, ip=10.0.0.8]",
                    "KeyChange[key=4b1d9c, kind=ADD, seq=1, pid=" + pid + "]",
                    // moved under the locks: seen once, at its new key
                    "hash: getAll = {77aa01=Session[user=42, expires=1767229260, ip=10.0.0.8]}",
                    "queue: poll = Job[id=1, priority=5, owner=ada]",
                    "ring: record of 16 bytes, first long 42",
                    "barrier: generations [0, 0, 0, 0]",
                    "counters: sum(0) = 1, sum(1) = 512"), child.output().lines().toList());
            // the README's names, made in the child's own folder
            assertEquals(List.of("accounts", "counters", "events", "hits", "jobs", "phase", "requests", "sessions"),
                    SharedMaps.list(dir).stream().map(MapInfo::name).toList());
        } finally {
            TestDirs.delete(dir);
        }
        assertFalse(Files.exists(dir));
    }

    static Path readme() {
        return projectRoot().resolve("README.md");
    }

    static Path coreExamples() {
        return projectRoot().resolve("core/src/test/java/dev/mapsync/readme/ReadmeExamples.java");
    }

    static Path micrometerExample() {
        return projectRoot().resolve("micrometer/src/test/java/dev/mapsync/micrometer/ReadmeExample.java");
    }

    /** The folder with README.md and core/: the tests run in core/, or in the root of the build. */
    private static Path projectRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("README.md")) && Files.isDirectory(p.resolve("core"))) return p;
        }
        throw new IllegalStateException("no README.md beside core/ above " + Path.of("").toAbsolutePath());
    }
}
