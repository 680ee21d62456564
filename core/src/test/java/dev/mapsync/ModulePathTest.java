package dev.mapsync;

import dev.mapsync.launch.ChildJvm;
import dev.mapsync.launch.Jvm;
import dev.mapsync.testkit.MapDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The library as the module {@code dev.mapsync}, used by an application module that stores its own records: each
 * test compiles a small module {@code com.example.app} and runs it in a child JVM on the module path, with the
 * library's classes (not the tests) as the module {@code dev.mapsync}.
 */
class ModulePathTest {
    private static final String NOT_OPENED = "IllegalArgumentException: cannot use record com.example.app.model.Point:"
            + " module com.example.app does not open com.example.app.model to dev.mapsync;"
            + " add to its module-info.java: opens com.example.app.model to dev.mapsync;";

    @RegisterExtension
    final MapDir maps = new MapDir("module");
    @TempDir
    Path build;

    @Test
    void aModuleThatOpensItsRecordsToMapsyncStoresThem() {
        Path app = compileApp("""
                module com.example.app {
                    requires dev.mapsync;
                    opens com.example.app.model to dev.mapsync;
                }
                """);
        String out = run(Jvm.module("com.example.app", "com.example.app.Main")
                .modulePath(library() + File.pathSeparator + app));
        assertEquals("""
                module com.example.app uses module dev.mapsync
                points[2] = Point[x=7, y=-3, up=true]
                tags[1] = Tag[name=corner, at=Point[x=-1, y=2, up=false]]
                """, out);
        assertPointCompiled();
    }

    @Test
    void aModuleThatDoesNotOpenItsRecordsIsToldTheLineToAdd() {
        // exporting the package is not enough: the library needs private access to the record
        Path app = compileApp("""
                module com.example.app {
                    requires dev.mapsync;
                    exports com.example.app.model;
                }
                """);
        String out = run(Jvm.module("com.example.app", "com.example.app.Main")
                .modulePath(library() + File.pathSeparator + app));
        assertEquals("module com.example.app uses module dev.mapsync\n" + NOT_OPENED + "\n", out);
    }

    @Test
    void recordsOnTheClassPathNeedNothingWhenTheLibraryIsAModule() {
        Path app = compileApp("""
                module com.example.app {
                    requires dev.mapsync;
                }
                """);
        String out = run(Jvm.main("com.example.app.Main").modulePath(library().toString()).addModules("dev.mapsync")
                .classPath(app.toString()));
        assertTrue(out.startsWith("unnamed module"), out);
        assertEquals("""
                 uses module dev.mapsync
                points[2] = Point[x=7, y=-3, up=true]
                tags[1] = Tag[name=corner, at=Point[x=-1, y=2, up=false]]
                """, out.substring(out.indexOf(" uses ")));
        assertPointCompiled();
    }

    /** The library's classes: the folder or jar that holds the module dev.mapsync, without the tests. */
    private static Path library() {
        try {
            Path classes = Path.of(SharedArray.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            assertTrue(Files.isRegularFile(classes) || Files.isRegularFile(classes.resolve("module-info.class")),
                    classes + " has no module-info.class");
            return classes;
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Compiles the module com.example.app with {@code moduleInfo}: records Point (primitives only) and Tag (a string
     * and a nested Point) in com.example.app.model, and a main class that stores one of each in an array map.
     */
    private Path compileApp(String moduleInfo) {
        Path src = build.resolve("src");
        write(src.resolve("module-info.java"), moduleInfo);
        write(src.resolve("com/example/app/model/Point.java"), """
                package com.example.app.model;

                public record Point(long x, int y, boolean up) {}
                """);
        write(src.resolve("com/example/app/model/Tag.java"), """
                package com.example.app.model;

                import dev.mapsync.Chars;

                public record Tag(@Chars(8) String name, Point at) {}
                """);
        write(src.resolve("com/example/app/Main.java"), """
                package com.example.app;

                import com.example.app.model.Point;
                import com.example.app.model.Tag;
                import dev.mapsync.MapSpec;
                import dev.mapsync.SharedArray;

                import java.nio.file.Path;

                public final class Main {
                    public static void main(String[] args) {
                        Path dir = Path.of(args[0]);
                        System.out.println(Main.class.getModule() + " uses " + SharedArray.class.getModule());
                        try (SharedArray<Point> points = SharedArray.create(MapSpec.array(args[1] + "p", Point.class, 4).dir(dir));
                             SharedArray<Tag> tags = SharedArray.create(MapSpec.array(args[1] + "t", Tag.class, 4).dir(dir))) {
                            points.set(2, new Point(7, -3, true));
                            System.out.println("points[2] = " + points.get(2));
                            tags.set(1, new Tag("corner", new Point(-1, 2, false)));
                            System.out.println("tags[1] = " + tags.get(1));
                        } catch (IllegalArgumentException e) {
                            System.out.println(e.getClass().getSimpleName() + ": " + e.getMessage());
                        }
                    }
                }
                """);
        Path out = build.resolve("app");
        List<String> args = new ArrayList<>(List.of("-d", out.toString(), "--module-path", library().toString()));
        try (Stream<Path> files = Files.walk(src)) {
            files.filter(f -> f.toString().endsWith(".java")).forEach(f -> args.add(f.toString()));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        ByteArrayOutputStream messages = new ByteArrayOutputStream();
        int exit = ToolProvider.getSystemJavaCompiler().run(null, messages, messages, args.toArray(String[]::new));
        assertEquals(0, exit, messages.toString(StandardCharsets.UTF_8));
        return out;
    }

    private static void write(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Runs the application {@code app} describes, with native access for dev.mapsync and the map's folder and name as
     * its arguments; returns what it printed. The classes it loads are logged to {@link #classLog()}.
     */
    private String run(Jvm app) {
        try (ChildJvm child = app.nativeAccess("dev.mapsync")
                .jvmOptions("-XX:+UseSerialGC", "-Xmx128m", "-Xlog:class+load=info:file=" + classLog())
                .args(maps.dir().toString(), maps.name()).outputToTempFile("modulepath").start()) {
            child.awaitSuccess(60);
            return child.output();
        }
    }

    private Path classLog() {
        return build.resolve("classes.log");
    }

    /**
     * Asserts that the child compiled the codec of Point, a record of primitives only, into a class of the library's
     * package: a record of another module cannot have a nestmate made for it, but mapsync calls its public members.
     */
    private void assertPointCompiled() {
        try {
            String log = Files.readString(classLog());
            assertTrue(log.contains(" dev.mapsync.internal.codec.MapsyncFlatAccess/"),
                    "no compiled codec was loaded:\n" + log);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
