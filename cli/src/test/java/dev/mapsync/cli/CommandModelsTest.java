package dev.mapsync.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Constructor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/** The generated models (CommandModels) against the annotations they come from and picocli's reflective models. */
class CommandModelsTest {
    @Test
    void theGeneratedSourceIsWhatTheAnnotationsSayNow() throws IOException {
        String now = CommandModelsGenerator.generate();
        Path committed = Path.of("src/main/java/dev/mapsync/cli/CommandModels.java");
        Path fresh = Path.of("target/CommandModels.java");
        Files.writeString(fresh, now);
        assertEquals(now, Files.readString(committed), "CommandModels.java is out of date: the commands' annotations"
                + " give " + fresh.toAbsolutePath() + " (cp it to " + committed + ")");
    }

    @Test
    void everyCommandHasTheHelpAndOptionsOfPicocliReflectiveModel() throws Exception {
        Map<String, CommandLine> generated = flatten(Main.commandLine(sink(), sink(), "completion"));
        Map<String, CommandLine> reflective = flatten(reflective());
        assertEquals(reflective.keySet(), generated.keySet());
        for (String path : reflective.keySet()) {
            CommandLine want = reflective.get(path), got = generated.get(path);
            assertEquals(usage(want), usage(got), "the help of '" + path + "'");
            assertEquals(describe(want.getCommandSpec()), describe(got.getCommandSpec()), "the options of '" + path + "'");
        }
        assertEquals(42, reflective.size(), "commands compared: " + reflective.keySet());
    }

    @Test
    void aRunBuildsTheCommandItNamesAndSummariesOnlyWhereAListMayBeShown() {
        CommandLine get = Main.commandLine(sink(), sink(), "--dir", "/tmp/x", "get", "m", "1");
        assertEquals(List.of("get"), List.copyOf(get.getSubcommands().keySet()));
        assertNotNull(get.getSubcommands().get("get").getCommandSpec().findOption("--json"));

        CommandLine help = Main.commandLine(sink(), sink(), "help", "queue");
        assertEquals(CommandModels.NAMES, List.copyOf(help.getSubcommands().keySet()));
        assertEquals(5, help.getSubcommands().get("queue").getSubcommands().size(), "queue's own subcommands");
        CommandLine replicate = Main.commandLine(sink(), sink(), "help", "replicate");
        assertEquals(List.of("serve", "follow", "status"),
                List.copyOf(replicate.getSubcommands().get("replicate").getSubcommands().keySet()));
        assertEquals(List.of("--verbose", "--dir"), help.getSubcommands().get("get").getCommandSpec().options().stream()
                .map(OptionSpec::longestName).toList(), "a summary has only the options it inherits");

        // arguments in an @file: every command's full model, since the command is read later
        CommandLine argFile = Main.commandLine(sink(), sink(), "@/some/args");
        assertNotNull(argFile.getSubcommands().get("get").getCommandSpec().findOption("--json"));
        assertNotNull(argFile.getSubcommands().get("set").getCommandSpec().findOption("--dir"));

        CommandLine none = Main.commandLine(sink(), sink(), "--verbose");
        assertEquals(CommandModels.NAMES, List.copyOf(none.getSubcommands().keySet()));
    }

    /** The whole model as picocli builds it from the annotations, decorated as Main decorates its own. */
    private static CommandLine reflective() throws Exception {
        CommandLine main = new CommandLine(new Main());
        for (Class<?> type : Commands.all()) {
            Constructor<?> constructor = type.getDeclaredConstructor();
            constructor.setAccessible(true);
            main.addSubcommand(constructor.newInstance());
        }
        Main.decorateHelp(main);
        return main;
    }

    private static Map<String, CommandLine> flatten(CommandLine top) {
        Map<String, CommandLine> all = new TreeMap<>();
        collect("mapsync", top, all);
        return all;
    }

    private static void collect(String path, CommandLine cl, Map<String, CommandLine> all) {
        all.put(path, cl);
        cl.getSubcommands().forEach((name, sub) -> collect(path + " " + name, sub, all));
    }

    private static String usage(CommandLine cl) {
        StringWriter text = new StringWriter();
        cl.usage(new PrintWriter(text), CommandLine.Help.Ansi.OFF);
        return text.toString();
    }

    /** Every attribute of a command's options and parameters that parsing depends on, one line each. */
    private static String describe(CommandSpec spec) {
        StringBuilder b = new StringBuilder();
        for (OptionSpec o : spec.options()) {
            b.append(String.join("|", o.names())).append(" usageHelp=").append(o.usageHelp())
                    .append(" versionHelp=").append(o.versionHelp()).append(" order=").append(o.order());
            common(b, o);
        }
        for (PositionalParamSpec p : spec.positionalParameters()) {
            b.append("index=").append(p.index());
            common(b, p);
        }
        return b.toString();
    }

    private static void common(StringBuilder b, ArgSpec a) {
        b.append(" arity=").append(a.arity()).append(" type=").append(a.type().getName())
                .append(" aux=").append(Arrays.stream(a.auxiliaryTypes()).map(Class::getName).toList())
                .append(" label=").append(a.paramLabel()).append(" required=").append(a.required())
                .append(" hidden=").append(a.hidden()).append(" default=").append(a.defaultValue())
                .append(" split=").append(a.splitRegex()).append(" scope=").append(a.scopeType())
                .append(" inherited=").append(a.inherited())
                .append(" converters=").append(Arrays.stream(a.converters()).map(c -> c.getClass().getName()).toList())
                .append(" description=").append(List.of(a.description())).append('\n');
    }

    private static PrintWriter sink() {
        return new PrintWriter(new StringWriter());
    }
}
