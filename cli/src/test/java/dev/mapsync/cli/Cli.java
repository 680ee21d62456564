package dev.mapsync.cli;

import dev.mapsync.launch.Jvm;

import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs the mapsync command in this JVM and captures what it prints. */
record Cli(int code, String out, String err) {
    static Cli run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true), args).execute(args);
        return new Cli(code, out.toString(), err.toString());
    }

    /** Runs {@code mapsync COMMAND --dir=DIR REST...}: the first argument, then the folder of maps, then the rest. */
    static Cli in(Path dir, String... args) {
        String[] all = new String[args.length + 1];
        all[0] = args[0];
        all[1] = "--dir=" + dir;
        System.arraycopy(args, 1, all, 2, args.length - 1);
        return run(all);
    }

    /**
     * Runs {@code mapsync COMMAND --dir=DIR REST...} in a JVM of its own whose stdout is a pipe closed at once, as
     * {@code | head} closes it once it has its lines, and returns its exit code and stderr; fails if it is still
     * running 10 s later.
     */
    static Cli withReaderGone(Path dir, String... args) throws Exception {
        String[] all = new String[args.length + 1];
        all[0] = args[0];
        all[1] = "--dir=" + dir;
        System.arraycopy(args, 1, all, 2, args.length - 1);
        File err = File.createTempFile("mapsync-stderr", ".txt");
        Process p = Jvm.main(Main.class).args(all).stdout(Redirect.PIPE).stderr(Redirect.to(err)).start().process();
        try {
            p.getInputStream().close();
            assertTrue(p.waitFor(10, TimeUnit.SECONDS), () -> String.join(" ", args) + " runs on without a reader");
            return new Cli(p.exitValue(), "", Files.readString(err.toPath()));
        } finally {
            p.destroyForcibly();
            Files.delete(err.toPath());
        }
    }

    /** This result, after asserting that the command exited 0 (the failure shows what it printed). */
    Cli ok() {
        assertEquals(0, code, () -> "exit " + code + "\nstdout: " + out + "\nstderr: " + err);
        return this;
    }
}
