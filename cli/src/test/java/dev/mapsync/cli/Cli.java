package dev.mapsync.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

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

    /** This result, after asserting that the command exited 0 (the failure shows what it printed). */
    Cli ok() {
        assertEquals(0, code, () -> "exit " + code + "\nstdout: " + out + "\nstderr: " + err);
        return this;
    }
}
