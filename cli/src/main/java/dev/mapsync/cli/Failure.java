package dev.mapsync.cli;

import dev.mapsync.IncompatibleMapException;
import dev.mapsync.MapSyncException;
import dev.mapsync.internal.sys.SyscallException;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.UncheckedIOException;

/**
 * What a command that failed prints: one line on stderr, whatever was thrown (an exception of the library, a bug,
 * or an Error of the JVM), with a stack trace only when asked, and the exit code the README documents.
 */
final class Failure {
    private Failure() {}

    /** Prints the line (and with {@code verbose} the stack trace) for {@code e} and returns the exit code. */
    static int report(Throwable e, CommandLine command, boolean verbose) {
        PrintWriter err = command.getErr();
        try {
            err.println("mapsync: " + line(e, command));
            if (verbose) e.printStackTrace(err);
        } catch (Throwable secondary) {
            // out of memory or stack while describing the failure: the exit code must still come out
        }
        err.flush();
        return ExitCodes.of(e);
    }

    /** The one line that says what went wrong, without the {@code mapsync: } prefix. */
    static String line(Throwable e, CommandLine command) {
        String what = qualifiedName(command);
        IllegalCallerException denied = nativeAccessDenied(e);
        if (denied != null) {
            // the library says which option grants it; a refusal from elsewhere gets the option of the jar's manifest
            String m = oneLine(message(denied));
            return m.startsWith("native access is denied") ? m
                    : "native access is denied, and mapsync needs it: run java with --enable-native-access=ALL-UNNAMED (" + m + ")";
        }
        if (isMemoryFault(e)) {
            String map = command.getCommand() instanceof MapArgument m ? "map '" + m.mapArgument() + "'" : "a map";
            return map + " is corrupt: its memory vanished under " + what + " (its file was truncated, or its file"
                    + " system could not back a page of it)";
        }
        if (e instanceof Error) {
            return "fatal error in " + what + ": " + oneLine(e.toString()) + " (--verbose prints the stack trace)";
        }
        if (isInternal(e)) {
            return "internal failure in " + what + ", a bug worth reporting with the command that caused it (--verbose"
                    + " prints the stack trace): " + oneLine(e.toString());
        }
        if (e instanceof IncompatibleMapException i && i.field().equals("map type")
                && command.getCommand() instanceof MapArgument m) {
            return wrongType(i.getMessage(), what, m.worksOn());
        }
        return escaped(message(e));
    }

    /**
     * A map of a type the command does not take: the library's message names the map's type and the Java class that
     * opens it, which means nothing on the command line; say which maps the command takes instead.
     */
    private static String wrongType(String message, String command, String worksOn) {
        int cut = message.indexOf(", not a");
        if (cut < 0) return escaped(message);
        return message.substring(0, cut) + "; " + command + " works on " + worksOn;
    }

    /**
     * True for the failures of the library, of the arguments and of the system, which say what happened in their own
     * words; anything else that escapes a command (an index out of bounds, an illegal state, a null) is a bug.
     */
    static boolean isInternal(Throwable e) {
        return e instanceof RuntimeException && !(e instanceof MapSyncException || e instanceof IllegalArgumentException
                || e instanceof CommandLine.PicocliException || e instanceof KeyNotFoundException
                || e instanceof CommandFailure || e instanceof SyscallException || e instanceof UncheckedIOException
                || e instanceof IllegalCallerException);
    }

    /**
     * True when the JVM turned a fault on a mapped page (SIGBUS) into an error: the map's memory vanished under the
     * command, because its file was truncated or a page of it could not be backed.
     */
    static boolean isMemoryFault(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof InternalError && String.valueOf(t.getMessage()).contains("unsafe memory access")) return true;
        }
        return false;
    }

    /** The refusal of native access behind {@code e} (a class of the library failed to initialise), or null. */
    static IllegalCallerException nativeAccessDenied(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IllegalCallerException i && String.valueOf(i.getMessage()).contains("native access")) return i;
        }
        return null;
    }

    private static String qualifiedName(CommandLine command) {
        return command.getCommandSpec().qualifiedName();
    }

    private static String message(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.toString() : m;
    }

    /**
     * A message on one line: a message that spans lines would break the rule that a failure prints one. Its lines
     * are joined with spaces (the lines of an exception's own text), and other control characters escaped.
     */
    static String oneLine(String s) {
        return escaped(s.strip().replaceAll("\\s*\\R\\s*", " "));
    }

    /**
     * A message that may quote input (an argument, a value), on one line: a line break and any other control
     * character in it is written as an escape, as in values, so that the quoted input is shown as it was.
     */
    static String escaped(String s) {
        return ValueText.escape(new StringBuilder(), s.strip(), false).toString();
    }
}
