package dev.mapsync.cli;

import picocli.CommandLine;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The top-level commands, in the order {@code mapsync --help} lists them, and the model a run builds of them: the full
 * model of the command it runs (from {@link CommandModels}, built without reflection), and where a list of commands
 * may be shown, a summary (name and description) of the others, so that a command's start-up pays for its own
 * options only.
 */
final class Commands {
    private Commands() {}

    /**
     * Every top-level command; {@link CommandModels} is generated from their annotations. A method, not a field, so
     * that a run, which reads {@link CommandModels} only, loads none of these classes but its own command's.
     */
    static List<Class<?>> all() {
        return List.of(CreateCommand.class, ListCommand.class, InfoCommand.class, GetCommand.class, SetCommand.class,
                AddCommand.class, CasCommand.class, DumpCommand.class, RmCommand.class, RmKeyCommand.class,
                LockCommand.class, LocksCommand.class, UnlockCommand.class, WatchCommand.class, WaitCommand.class,
                QueueCommand.class, BarrierCommand.class, ReplicateCommand.class, ExportCommand.class, TopCommand.class, BenchCommand.class,
                CompletionCommand.class, DoctorCommand.class, DemoCommand.class, DemoWorkerCommand.class,
                ChaosCommand.class, ChaosWorkerCommand.class, TrainCommand.class, CommandLine.HelpCommand.class);
    }

    /** Commands that read the whole model: {@code completion} writes a script of every command's options. */
    private static final Set<String> NEED_ALL = Set.of("completion");

    /**
     * Adds the commands to {@code top}: the full model of those {@code args} run ({@code mapsync get ...} builds
     * {@code get}; {@code mapsync help get} builds {@code help} and {@code get}); when no command is named, or
     * {@code help} is, a summary of each other command for the list of commands.
     */
    static void addTo(CommandLine top, Main root, String[] args) {
        Set<String> named = named(args);
        // an @file holds arguments picocli reads later: the command it names is not known here
        boolean all = named.stream().anyMatch(NEED_ALL::contains) || Arrays.stream(args).anyMatch(a -> a.startsWith("@"));
        boolean listed = named.isEmpty() || named.contains("help");
        for (String name : CommandModels.NAMES) {
            if (all || named.contains(name)) top.addSubcommand(name, CommandModels.command(name, root));
            else if (listed) top.addSubcommand(name, CommandModels.summary(name));
        }
    }

    /**
     * The commands {@code args} name: the first word that is not an option of {@code mapsync} itself, and after
     * {@code help} the command it asks about.
     */
    private static Set<String> named(String[] args) {
        Set<String> named = new HashSet<>();
        for (int i = 0; i < args.length; i++) {
            String word = args[i];
            if (word.equals("--dir")) {
                i++; // its value is a folder, not a command
                continue;
            }
            if (word.startsWith("-")) continue;
            if (!CommandModels.NAMES.contains(word)) break;
            named.add(word);
            if (!word.equals("help")) break;
        }
        return named;
    }
}
