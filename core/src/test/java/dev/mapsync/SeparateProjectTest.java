package dev.mapsync;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The README's "Use it from your project", done as a user does it: {@code mvn install} of core from a copy of this
 * clone, then {@code mvn package} of the separate Maven project in {@code examples/java} (an application module with
 * a record, and a shaded jar) against the installed artifact, and its program run on the class path, on the module
 * path and as {@code java -jar} of the shaded jar, each with nothing on stderr.
 */
class SeparateProjectTest {
    /** What the example prints, whichever way it runs; its last line names the module it ran in. */
    private static final String ACCOUNTS = "Account[id=1, balance=70, owner=ada]\nAccount[id=2, balance=35, owner=bob]\n";
    private static final String NATIVE_ACCESS_WARNING = "WARNING: A restricted method in java.lang.foreign.Linker has"
            + " been called";
    private static final Set<String> NOT_COPIED = Set.of("target", ".git", "build", "results", ".idea");

    @TempDir
    static Path work;
    static String version;
    static Path app;

    @BeforeAll
    static void installCoreAndBuildTheExample() throws IOException {
        Path root = Path.of("").toAbsolutePath().getParent();
        version = projectVersion(Files.readString(root.resolve("pom.xml")));
        Path clone = work.resolve("mapsync");
        copyTree(root, clone);
        // the README's command, as a user runs it: online, so that a machine whose repository lacks a plugin's
        // dependencies (the javadoc plugin's, resolved even when skipped) fetches them as the user's would
        maven(clone, "-pl", "core", "-am", "install", "-Dmaven.test.skip=true", "-Dmaven.javadoc.skip=true",
                "-Dmaven.source.skip=true");
        app = work.resolve("ledger");
        copyTree(root.resolve("examples/java"), app);
        maven(app, "package");
    }

    @Test
    void theExampleAsksForThisVersionOfTheLibrary() throws IOException {
        Matcher m = Pattern.compile("<mapsync.version>([^<]+)</mapsync.version>")
                .matcher(Files.readString(app.resolve("pom.xml")));
        assertTrue(m.find(), "examples/java/pom.xml names no mapsync.version");
        assertEquals(version, m.group(1), "examples/java/pom.xml asks for another version of mapsync-core than this build");
    }

    @Test
    void onTheClassPath() {
        Run r = java("--enable-native-access=ALL-UNNAMED", "-cp", app("ledger-1.0.jar") + ":" + installedCore(),
                "com.example.ledger.Ledger", mapName("cp"));
        assertEquals(ACCOUNTS + "module: unnamed\n", r.out);
        assertEquals("", r.err);
    }

    @Test
    void onTheModulePath() {
        Run r = java("--enable-native-access=dev.mapsync", "-p", app("ledger-1.0.jar") + ":" + installedCore(),
                "-m", "com.example.ledger/com.example.ledger.Ledger", mapName("mp"));
        assertEquals(ACCOUNTS + "module: com.example.ledger\n", r.out);
        assertEquals("", r.err);
    }

    @Test
    void asAShadedJarWhoseManifestEnablesNativeAccess() {
        Run r = java("-jar", app("ledger-all.jar"), mapName("jar"));
        assertEquals(ACCOUNTS + "module: unnamed\n", r.out);
        assertEquals("", r.err);
    }

    @Test
    void withoutNativeAccessTheJvmWarnsAndTheProgramStillRuns() {
        // why the README asks for the flag (or the manifest entry): the JVM warns on mapsync's first native call
        Run r = java("-cp", app("ledger-1.0.jar") + ":" + installedCore(), "com.example.ledger.Ledger", mapName("nf"));
        assertEquals(ACCOUNTS + "module: unnamed\n", r.out);
        assertTrue(r.err.startsWith(NATIVE_ACCESS_WARNING), r.err);
    }

    private static String mapName(String how) {
        return "ledger-" + how + "-" + ProcessHandle.current().pid();
    }

    private static String app(String jar) {
        return app.resolve("target").resolve(jar).toString();
    }

    private static String installedCore() {
        Path jar = Path.of(System.getProperty("user.home"), ".m2", "repository", "dev", "mapsync", "mapsync-core", version,
                "mapsync-core-" + version + ".jar");
        assertTrue(Files.isRegularFile(jar), "mvn install left no " + jar);
        return jar.toString();
    }

    private static String projectVersion(String pom) {
        Matcher m = Pattern.compile("<artifactId>mapsync-parent</artifactId>\\s*<version>([^<]+)</version>").matcher(pom);
        if (!m.find()) fail("the root pom.xml names no version of mapsync-parent");
        return m.group(1);
    }

    private record Run(int code, String out, String err) {}

    private static Run java(String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(args));
        Run r = run(app, command);
        assertEquals(0, r.code, r.err);
        return r;
    }

    private static void maven(Path dir, String... goals) {
        List<String> command = new ArrayList<>(List.of("mvn", "-B", "-q", "-Dstyle.color=never"));
        command.addAll(List.of(goals));
        Run r = run(dir, command);
        if (r.code != 0) fail("mvn " + String.join(" ", goals) + " in " + dir + " exited " + r.code + ":\n" + r.out + r.err);
    }

    private static Run run(Path dir, List<String> command) {
        try {
            Path out = Files.createTempFile(work, "out", ".txt");
            Path err = Files.createTempFile(work, "err", ".txt");
            ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
            Process p = pb.start();
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                fail(String.join(" ", command) + " did not end in 10 minutes");
            }
            return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Copies the sources of a tree: not what builds leave in it, nor the version control's own files. */
    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path rel = from.relativize(f);
                boolean skipped = false;
                for (Path part : rel) skipped |= NOT_COPIED.contains(part.toString());
                if (skipped) continue;
                Path target = to.resolve(rel.toString());
                if (Files.isDirectory(f)) Files.createDirectories(target);
                else if (Files.isRegularFile(f)) Files.copy(f, target);
            }
        }
    }
}
