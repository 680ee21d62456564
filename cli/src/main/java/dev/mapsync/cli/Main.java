package dev.mapsync.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StreamTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The {@code mapsync} command: maps shared between processes, from the shell. */
@Command(name = "mapsync",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Maps shared between processes at memory speed, with atomics, in shared memory (shm) or kernel eBPF maps (bpf).%n"
                + "A MAP is a name (the default folder, shm backend), bpf:NAME (a kernel map), a path containing '/', or the path of%n"
                + "a kernel map any program pinned in a bpf file system (/sys/fs/bpf/...).",
        footer = {"", ExitCodes.HELP})
public final class Main implements Runnable {
    @Option(names = "--verbose", scope = ScopeType.INHERIT, description = "Print stack traces of errors.")
    boolean verbose;

    @Option(names = "--dir", scope = ScopeType.INHERIT, paramLabel = "DIR",
            description = "Folder of shm maps and sidecars (default: $MAPSYNC_DIR, else /dev/shm/mapsync for root and"
                    + " /dev/shm/mapsync-UID for other users).")
    Path dir;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /**
     * Runs the command and returns its exit code; output goes to file descriptor 1 (not through {@link System#out},
     * so that a failed write says why), errors to stderr.
     */
    public static int run(String... args) {
        StandardOutput stdout = new StandardOutput();
        PrintWriter out = StandardOutput.printer(stdout);
        PrintWriter err = new PrintWriter(System.err, true);
        try {
            int code = commandLine(out, err, args).execute(args);
            // auto-flush covers println and printf only: what a command print()s would be lost at System.exit
            out.flush();
            String failed = stdout.failureOtherThanAGoneReader();
            if (failed == null) return code;
            err.println("mapsync: cannot write the output: " + failed);
            return code == ExitCodes.OK ? ExitCodes.OTHER : code;
        } finally {
            out.flush();
            err.flush();
        }
    }

    private static final String PICOCLI_EXCLUDES = "picocli.converters.excludes";

    /**
     * The command line that runs {@code args}: with the full model of the command they name and a summary of the
     * others ({@link Commands}).
     */
    static CommandLine commandLine(PrintWriter out, PrintWriter err, String... args) {
        // picocli makes its converters of java.sql and java.time types by reflection for every command line; no
        // command takes one (durations have their own converter), and start-up is the milliseconds saved
        if (System.getProperty(PICOCLI_EXCLUDES) == null) System.setProperty(PICOCLI_EXCLUDES, "java\\.(sql|time)\\..*");
        LibraryLog.to(err);
        Main main = new Main();
        CommandLine cl = new CommandLine(CommandModels.main(main)) {
            @Override
            public int execute(String... given) {
                return super.execute(withArgumentFile(given));
            }
        };
        // picocli would read every word that starts with '@' as a file of arguments, those after "--" (a command for
        // lock to run) and values (a queue record) included: only a first argument is one (withArgumentFile)
        cl.setExpandAtFiles(false);
        Commands.addTo(cl, main, args);
        decorateHelp(cl);
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> Failure.report(e, commandLine, main.verbose));
        // picocli hands exceptions to the handler above and lets Errors through (a fault on a mapped page, a class of
        // the library that cannot initialise, a stack overflow): they get their one line and exit code here
        CommandLine.IExecutionStrategy runLast = new CommandLine.RunLast();
        cl.setExecutionStrategy(parseResult -> {
            try {
                return runLast.execute(parseResult);
            } catch (Error e) {
                List<CommandLine> chain = parseResult.asCommandLineList();
                return Failure.report(e, chain.getLast(), main.verbose);
            } finally {
                ForeignPins.removeAll(); // the private sidecars of foreign pins the command opened (it closed them)
            }
        });
        cl.setParameterExceptionHandler((e, unmatched) -> {
            CommandLine c = e.getCommandLine();
            c.getErr().println("mapsync: " + Failure.escaped(String.valueOf(e.getMessage()))); // it may quote input
            c.getErr().println("Try '" + c.getCommandSpec().qualifiedName() + " --help' for more information.");
            c.getErr().flush();
            return ExitCodes.USAGE;
        });
        return cl;
    }

    /**
     * {@code args} with a first argument {@code @FILE} replaced by the words of that file (separated by white space,
     * quoted with ' or ", # starting a comment, as picocli reads them); a file that cannot be read stays a word, as
     * do the words in the file and the later arguments.
     */
    static String[] withArgumentFile(String[] args) {
        if (args.length == 0 || !args[0].startsWith("@") || args[0].equals("@")) return args;
        Path file = Path.of(args[0].substring(1));
        if (!Files.isReadable(file)) return args;
        List<String> words = new ArrayList<>();
        try (var reader = Files.newBufferedReader(file)) {
            var tokens = new StreamTokenizer(reader);
            tokens.resetSyntax();
            tokens.wordChars(' ', 255);
            tokens.whitespaceChars(0, ' ');
            tokens.quoteChar('"');
            tokens.quoteChar('\'');
            tokens.commentChar('#');
            while (tokens.nextToken() != StreamTokenizer.TT_EOF) words.add(tokens.sval);
        } catch (IOException e) {
            return args; // a folder, say
        }
        words.addAll(List.of(args).subList(1, args.length));
        return words.toArray(String[]::new);
    }

    /**
     * How the help looks: 120 columns (the descriptions are written for them; every subcommand inherits it), and the
     * exit codes at the end of every command's help.
     */
    static void decorateHelp(CommandLine cl) {
        cl.setUsageHelpWidth(120);
        for (CommandLine sub : cl.getSubcommands().values()) {
            var usage = sub.getCommandSpec().usageMessage();
            List<String> footer = new ArrayList<>(List.of(usage.footer()));
            footer.add("");
            footer.add(ExitCodes.HELP);
            usage.footer(footer.toArray(String[]::new));
        }
    }

    /** The version from the jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[]{"mapsync " + (v == null ? "(development build)" : v),
                    "Java " + Runtime.version() + ", " + System.getProperty("os.name") + " " + System.getProperty("os.version")
                            + " " + System.getProperty("os.arch")};
        }
    }
}
