package dev.mapsync.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The Python client ({@code clients/python}) for tests that share maps with Python: the package installed, once per
 * test run, with pip into {@code target/python} (pip's own build of it compiles libmapsync from {@code clients/c/src}
 * into the package; no network, no cache, nothing outside the target folder), and the scripts of
 * {@code clients/python/tests/interop} run with it. pip builds the package with this python's setuptools and wheel
 * when it has both (no index), else in an isolated environment with the setuptools of pip's configured index. A test
 * is skipped, with the reason printed, when {@code python3} is missing, has no pip, or pip cannot build the package.
 */
public final class PythonClient {
    private PythonClient() {}

    /** The Python package's folder. */
    public static final Path PACKAGE = Path.of("..", "clients", "python").toAbsolutePath().normalize();
    /** The folder of the scripts the tests run. */
    public static final Path SCRIPTS = PACKAGE.resolve("tests").resolve("interop");
    private static final Path SITE = Path.of("target", "python").toAbsolutePath();

    private static String python;

    /** python3 with the package installed (once per run); skips the test when it cannot be had here. */
    public static synchronized String require() {
        if (python != null) return python;
        String p = Machine.requireProgram("python3", "python3 python3-pip python3-setuptools python3-venv").toString();
        CPrograms.Result pip = CPrograms.run(Map.of(), List.of(p, "-m", "pip", "--version"));
        if (pip.exit() != 0) Machine.skip("python3", "python3 has no pip to install clients/python with: " + pip.err().strip());
        deleteRecursively(SITE);
        List<String> install = new ArrayList<>(List.of(p, "-m", "pip", "install", "--quiet", "--no-deps", "--no-cache-dir",
                "--disable-pip-version-check", "--target", SITE.toString()));
        // with this python's own setuptools and wheel when it has them (no index at all); else pip builds the package
        // in an isolated environment with the setuptools of its configured index
        CPrograms.Result tools = CPrograms.run(Map.of(), List.of(p, "-c", "import setuptools, wheel"));
        if (tools.exit() == 0) install.addAll(List.of("--no-index", "--no-build-isolation"));
        install.add(PACKAGE.toString());
        CPrograms.Result r = CPrograms.run(Map.of("PIP_NO_INPUT", "1"), install);
        if (r.exit() != 0) {
            Machine.skip("python3", "pip cannot build clients/python here (" + String.join(" ", install) + "):\n" + r.out() + r.err());
        }
        if (!Files.exists(SITE.resolve("mapsync").resolve("libmapsync.so"))) {
            throw new AssertionError("pip installed " + PACKAGE + " without libmapsync.so:\n" + r.out() + r.err());
        }
        python = p;
        return p;
    }

    /** The environment of a script: the installed package, maps in {@code dir}. */
    public static Map<String, String> env(Path dir) {
        return Map.of("PYTHONPATH", SITE.toString(), "PYTHONDONTWRITEBYTECODE", "1", "PYTHONUNBUFFERED", "1",
                "MAPSYNC_DIR", dir.toString());
    }

    /** The command that runs {@code clients/python/tests/interop/SCRIPT.py} with {@code args}. */
    public static List<String> command(String script, Object... args) {
        List<String> command = new ArrayList<>(List.of(require(), SCRIPTS.resolve(script + ".py").toString()));
        for (Object a : args) command.add(a.toString());
        return command;
    }

    /** Runs a script to its end (at most 120 s), with maps in {@code dir}. */
    public static CPrograms.Result run(Path dir, String script, Object... args) {
        return CPrograms.run(env(dir), command(script, args));
    }

    /** Starts a script, its standard error merged into its output, with maps in {@code dir}. */
    public static Script start(Path dir, String script, Object... args) {
        ProcessBuilder pb = new ProcessBuilder(command(script, args)).redirectErrorStream(true);
        pb.environment().putAll(env(dir));
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            return new Script(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A running script: its lines one by one, and its end. Closing it kills it if it still runs. */
    public static final class Script implements AutoCloseable {
        private final Process process;
        private final BufferedReader out;

        Script(Process process) {
            this.process = process;
            this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        }

        public Process process() {
            return process;
        }

        /** The next line it prints (null at its end). */
        public String readLine() throws IOException {
            return out.readLine();
        }

        /** Waits for its end (at most {@code seconds}) and returns the rest of its output; fails on a non-zero exit. */
        public String awaitSuccess(int seconds) throws Exception {
            StringBuilder rest = new StringBuilder();
            Thread reader = Thread.ofVirtual().start(() -> {
                try {
                    for (String line; (line = out.readLine()) != null; ) rest.append(line).append('\n');
                } catch (IOException ignored) {
                    // the process was killed
                }
            });
            if (!process.waitFor(seconds, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("the Python script did not finish in " + seconds + " s: " + rest);
            }
            reader.join();
            if (process.exitValue() != 0) throw new AssertionError("the Python script exited " + process.exitValue() + ":\n" + rest);
            return rest.toString();
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) return;
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
