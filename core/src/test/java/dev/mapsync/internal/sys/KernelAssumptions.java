package dev.mapsync.internal.sys;

import dev.mapsync.testkit.Machine;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the bpf tests share besides the decision to run: unique names, pin clean-up, and running bpftool and other
 * commands. Whether a test can run here (BPF maps, bpftool) is {@link Machine}'s to decide.
 */
public final class KernelAssumptions {
    private KernelAssumptions() {}

    private static final AtomicInteger COUNTER = new AtomicInteger();

    /** A name no other test (or earlier run) uses, valid as a map name and as a pin name. */
    public static String uniqueName(String prefix) {
        return prefix + "_" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet() + "_"
                + Long.toHexString(System.nanoTime() & 0xffffff);
    }

    /**
     * Pins to remove after each test, whether or not it removed them itself. Register it with
     * {@code @RegisterExtension}.
     */
    public static final class Pins implements AfterEachCallback {
        private final List<Path> pins = new ArrayList<>();

        @Override
        public void afterEach(ExtensionContext context) {
            removeAll();
        }

        public Path track(Path pin) {
            pins.add(pin);
            return pin;
        }

        public void removeAll() {
            for (Path p : pins) {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    System.err.println("could not remove test pin " + p + ": " + e);
                }
            }
            pins.clear();
        }
    }

    /** What a finished command printed. */
    public record Run(int exit, String out, String err) {
        public Run ok() {
            if (exit != 0) throw new AssertionError("exit " + exit + "\nstdout: " + out + "\nstderr: " + err);
            return this;
        }
    }

    /** Runs a command to its end (at most 60 s). */
    public static Run run(String... command) {
        try {
            Process p = new ProcessBuilder(command).start();
            p.getOutputStream().close();
            var out = p.getInputStream().readAllBytes();
            var err = p.getErrorStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " did not finish");
            }
            return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AssertionError("cannot run " + String.join(" ", command) + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** bpftool with its arguments. */
    public static Run bpftool(String... args) {
        String[] command = new String[args.length + 1];
        command[0] = Machine.BPFTOOL.toString();
        System.arraycopy(args, 0, command, 1, args.length);
        return run(command);
    }
}
