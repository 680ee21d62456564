package dev.mapsync.cli;

import dev.mapsync.cli.top.TopSource;
import dev.mapsync.cli.top.TopView;
import org.jline.terminal.Attributes;
import org.jline.terminal.Size;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.utils.InfoCmp.Capability;
import org.jline.utils.NonBlockingReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "top", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"A live view of a map, refreshed in place like top(1): the entries that change fastest and their",
                "rates, lock owners (alive or dead), subscribers. q quits; the terminal is restored on exit and the view",
                "follows resizes. Works on both backends; reads only (it does not subscribe, so writers pay nothing).",
                "On a hash map, every key. Needs a terminal on stdin and stdout (in a pipeline, use dump or watch)."})
final class TopCommand extends SchemaMapCommand implements Callable<Integer> {
    @Option(names = "--interval", defaultValue = "1s", paramLabel = "T", converter = DurationConverter.class,
            description = "Refresh interval (default ${DEFAULT-VALUE}).")
    Duration interval;

    @Option(names = "--keys", paramLabel = "A-B", description = "Only entries A to B.")
    String keys;

    @Override
    public Integer call() {
        // the terminal reads keys for at most the interval, and a wait of 0 ms would be a wait for ever
        if (interval.toMillis() < 1) {
            throw new IllegalArgumentException("--interval must be at least 1 ms, not " + DurationText.of(interval));
        }
        withKeyed(true, array -> {
            int[] range = KeyRange.parse(keys, array.length());
            show(new TopView(TopSource.of(array, range[0], range[1]), ref().toString()));
        }, hash -> {
            if (keys != null) throw new IllegalArgumentException("--keys takes an array's indexes; on a hash map, top shows every key");
            show(new TopView(TopSource.of(hash), ref().toString()));
        });
        return ExitCodes.OK;
    }

    /**
     * Draws {@code view} on the terminal until q, refreshing every interval; refuses (a usage error) when stdin or
     * stdout is not a terminal.
     */
    private void show(TopView view) {
        // the map is read before the terminal is asked for: a map that cannot be read says so (exit 3) either way
        view.sample();
        view.render(24, 80);
        // JLine draws on stderr when stdout is not a terminal, and reads no q from a stdin that is not one: in a
        // pipeline top would print nothing and never end
        java.io.Console console = System.console();
        if (console == null || !console.isTerminal()) {
            throw new IllegalArgumentException("top needs a terminal; use dump or watch in a pipeline");
        }
        try (Terminal terminal = TerminalBuilder.builder().system(true).dumb(true).build()) {
            Attributes saved = terminal.enterRawMode();
            terminal.puts(Capability.enter_ca_mode);
            terminal.puts(Capability.cursor_invisible);
            terminal.handle(Terminal.Signal.WINCH, signal -> { }); // the next refresh reads the new size
            try {
                NonBlockingReader keysIn = terminal.reader();
                while (true) {
                    draw(terminal, view);
                    if (terminal.writer().checkError()) break; // the terminal went away (a closed window, say)
                    int c = keysIn.read(interval.toMillis());
                    if (c == 'q' || c == 'Q' || c == 3 || c == NonBlockingReader.EOF) break;
                    if (c == NonBlockingReader.READ_EXPIRED) view.sample();
                }
            } finally {
                terminal.puts(Capability.cursor_visible);
                terminal.puts(Capability.exit_ca_mode);
                terminal.setAttributes(saved);
                terminal.flush();
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("the terminal failed: " + e.getMessage(), e);
        }
    }

    private static void draw(Terminal terminal, TopView view) {
        Size size = terminal.getSize();
        int rows = size.getRows() > 0 ? size.getRows() : 24;
        int columns = size.getColumns() > 0 ? size.getColumns() : 80;
        List<String> lines = view.render(rows, columns);
        terminal.puts(Capability.clear_screen);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            if (i > 0) b.append("\r\n");
            b.append(lines.get(i));
        }
        terminal.writer().print(b);
        terminal.flush();
    }
}
