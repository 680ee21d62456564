package dev.mapsync.launch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A child JVM to start, described by name: its main class, JVM options, program arguments, class path, native access,
 * a command to run it through, and where its standard streams go. {@link #start()} starts it; {@link #command()} gives
 * its command line for another program to run (a shell, tmux).
 *
 * <p>The command line is, in this order: the {@linkplain #prefix prefix}, this JVM's own {@code java}
 * ({@code java.home/bin/java}), {@code --enable-native-access=ALL-UNNAMED} unless {@linkplain #nativeAccess turned
 * off or given other modules}, the JVM options in the order given, the {@linkplain #modulePath module path} and
 * {@linkplain #addModules added modules} if given, {@code -cp} and the class path, {@link ParentWatch} and this
 * process's pid if the child is to {@linkplain #endWithParent end with this process}, the main class (or {@code -m} and
 * the {@linkplain #module module's main class}), and the arguments in the order given.
 *
 * <p>By default the class path is this JVM's ({@code java.class.path}), native access is enabled, and the three
 * standard streams are pipes to this process (see {@link Process}).
 *
 * <p>Not thread-safe: a {@code Jvm} is described and started by one thread at a time. Every method that describes
 * returns this {@code Jvm}; one may be started more than once. Methods throw {@link NullPointerException} when given
 * null.
 */
public final class Jvm {
    private final String mainClass;
    /** True when {@link #mainClass} is {@code module/class}, run with {@code -m}. */
    private final boolean inModule;
    private final List<String> prefix = new ArrayList<>();
    private final List<String> jvmOptions = new ArrayList<>();
    private final List<String> args = new ArrayList<>();
    private String classPath = System.getProperty("java.class.path");
    private String nativeAccess = "ALL-UNNAMED";
    private String modulePath;
    private String addModules;
    private Redirect stdin = Redirect.PIPE;
    private Redirect stdout = Redirect.PIPE;
    private Redirect stderr = Redirect.PIPE;
    private boolean stderrToStdout;
    /** The file stdout and stderr go to, or null. */
    private Path outputFile;
    /** The name prefix of a temporary file for stdout and stderr, made at each start, or null. */
    private String tempOutputPrefix;
    private boolean endWithParent;

    private Jvm(String mainClass, boolean inModule) {
        this.mainClass = Objects.requireNonNull(mainClass, "mainClass");
        this.inModule = inModule;
        if (inModule) classPath = null;
    }

    /** A JVM that runs {@code mainClass}'s {@code main}. */
    public static Jvm main(Class<?> mainClass) {
        return new Jvm(mainClass.getName(), false);
    }

    /** A JVM that runs the {@code main} of the class named {@code mainClass} (one this JVM need not load). */
    public static Jvm main(String mainClass) {
        return new Jvm(mainClass, false);
    }

    /**
     * A JVM that runs the main class of a module from the module path ({@code -m module/class}), with no class path
     * unless {@link #classPath} gives one.
     */
    public static Jvm module(String module, String mainClass) {
        return new Jvm(Objects.requireNonNull(module, "module") + "/" + Objects.requireNonNull(mainClass, "mainClass"), true);
    }

    /** Adds JVM options (such as {@code -Xmx64m} or {@code -Dname=value}), after the ones added before. */
    public Jvm jvmOptions(String... options) {
        return jvmOptions(List.of(options));
    }

    /** Adds JVM options, after the ones added before. */
    public Jvm jvmOptions(List<String> options) {
        jvmOptions.addAll(List.copyOf(options));
        return this;
    }

    /** Adds arguments of the main class, after the ones added before. */
    public Jvm args(String... arguments) {
        return args(List.of(arguments));
    }

    /** Adds arguments of the main class, after the ones added before. */
    public Jvm args(List<String> arguments) {
        args.addAll(List.copyOf(arguments));
        return this;
    }

    /** The module path ({@code --module-path}), entries separated by {@code :}; none by default. */
    public Jvm modulePath(String modulePath) {
        this.modulePath = Objects.requireNonNull(modulePath, "modulePath");
        return this;
    }

    /** Root modules to resolve besides the main one ({@code --add-modules}), separated by {@code ,}. */
    public Jvm addModules(String modules) {
        this.addModules = Objects.requireNonNull(modules, "modules");
        return this;
    }

    /** The class path, entries separated by {@code :}; this JVM's by default (none for {@link #module}). */
    public Jvm classPath(String classPath) {
        this.classPath = Objects.requireNonNull(classPath, "classPath");
        return this;
    }

    /**
     * Whether to pass {@code --enable-native-access=ALL-UNNAMED}, which every JVM that runs mapsync needs (true by
     * default).
     */
    public Jvm nativeAccess(boolean enabled) {
        this.nativeAccess = enabled ? "ALL-UNNAMED" : null;
        return this;
    }

    /** Native access for these modules instead ({@code --enable-native-access=modules}), such as {@code dev.mapsync}. */
    public Jvm nativeAccess(String modules) {
        this.nativeAccess = Objects.requireNonNull(modules, "modules");
        return this;
    }

    /**
     * Makes the child end (status 1, a line on stderr) within a fraction of a second of this process's death, however
     * it dies: the main class becomes {@link ParentWatch}, which runs the given one's
     * {@code public static void main(String[])}. For children on a class path that holds this module's classes (not
     * {@link #module}) whose parent is this process: not through a {@linkplain #prefix prefix} command that stays
     * between them, nor from a {@link #command()} another program runs (the child would end at once).
     *
     * @throws IllegalStateException if this JVM runs a module's main class
     */
    public Jvm endWithParent() {
        if (inModule) {
            throw new IllegalStateException("endWithParent runs a main class from the class path, not " + mainClass);
        }
        endWithParent = true;
        return this;
    }

    /** A command that runs the JVM, such as {@code setpriv --reuid=65534 ...}: it comes first in the command line. */
    public Jvm prefix(List<String> command) {
        prefix.clear();
        prefix.addAll(List.copyOf(command));
        return this;
    }

    /**
     * Sends stdout and stderr together into {@code file} (emptied first), where {@link ChildJvm#output()} reads them;
     * a chatty child never blocks on a full pipe. The file stays after {@link ChildJvm#close()}.
     */
    public Jvm output(Path file) {
        outputFile = Objects.requireNonNull(file, "file");
        tempOutputPrefix = null;
        return stderrToStdout();
    }

    /**
     * As {@link #output(Path)}, into a new temporary file whose name starts with {@code namePrefix}, made at
     * {@link #start()} and deleted by {@link ChildJvm#close()}.
     */
    public Jvm outputToTempFile(String namePrefix) {
        tempOutputPrefix = Objects.requireNonNull(namePrefix, "namePrefix");
        outputFile = null;
        return stderrToStdout();
    }

    /** Where stdout goes ({@link Redirect#DISCARD}, say), instead of an output file or a pipe. */
    public Jvm stdout(Redirect to) {
        stdout = Objects.requireNonNull(to, "to");
        outputFile = null;
        tempOutputPrefix = null;
        return this;
    }

    /** Where stderr goes ({@link Redirect#INHERIT}, say), instead of a pipe. */
    public Jvm stderr(Redirect to) {
        stderr = Objects.requireNonNull(to, "to");
        stderrToStdout = false;
        return this;
    }

    /** Sends stderr where stdout goes: to its pipe, unless told otherwise. */
    public Jvm stderrToStdout() {
        stderrToStdout = true;
        return this;
    }

    /** Gives the child this process's stdin, stdout and stderr. */
    public Jvm inheritIO() {
        stdin = Redirect.INHERIT;
        return stdout(Redirect.INHERIT).stderr(Redirect.INHERIT);
    }

    /** The command line {@link #start()} runs. */
    public List<String> command() {
        List<String> command = new ArrayList<>(prefix);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (nativeAccess != null) command.add("--enable-native-access=" + nativeAccess);
        command.addAll(jvmOptions);
        if (modulePath != null) command.addAll(List.of("--module-path", modulePath));
        if (addModules != null) command.addAll(List.of("--add-modules", addModules));
        if (classPath != null) command.addAll(List.of("-cp", classPath));
        if (inModule) command.add("-m");
        if (endWithParent) {
            command.addAll(List.of(ParentWatch.class.getName(), Long.toString(ProcessHandle.current().pid())));
        }
        command.add(mainClass);
        command.addAll(args);
        return command;
    }

    /**
     * Starts the JVM.
     *
     * @throws UncheckedIOException if the process cannot be started or its temporary output file cannot be made
     */
    public ChildJvm start() {
        Path file = outputFile;
        boolean temporary = tempOutputPrefix != null;
        try {
            if (temporary) file = Files.createTempFile(tempOutputPrefix, ".log");
            ProcessBuilder pb = new ProcessBuilder(command()).redirectInput(stdin)
                    .redirectOutput(file != null ? Redirect.to(file.toFile()) : stdout)
                    .redirectError(stderr).redirectErrorStream(stderrToStdout);
            return new ChildJvm(pb.start(), file, temporary);
        } catch (IOException e) {
            if (temporary && file != null) deleteQuietly(file);
            throw new UncheckedIOException("cannot start a JVM running " + mainClass + ": " + e.getMessage(), e);
        }
    }

    static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a temporary file left behind is harmless
        }
    }
}
