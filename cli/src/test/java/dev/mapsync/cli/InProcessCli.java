package dev.mapsync.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * The mapsync command run in this JVM, for harnesses outside this package (the corruption suite runs thousands of
 * commands in one child JVM): exactly what {@code main} does, minus {@code System.exit}.
 */
public final class InProcessCli {
    private InProcessCli() {}

    /** What a command printed and its exit code. */
    public record Result(int code, String out, String err) {}

    public static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true), args).execute(args);
        return new Result(code, out.toString(), err.toString());
    }
}
