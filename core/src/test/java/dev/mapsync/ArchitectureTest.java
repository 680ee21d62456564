package dev.mapsync;

import com.tngtech.archunit.ArchConfiguration;
import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import dev.mapsync.internal.hooks.TestHooks;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.lang.classfile.ClassFile;
import java.lang.classfile.constantpool.PoolEntry;
import java.lang.classfile.constantpool.StringEntry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The shape of core's packages: the internal packages form layers without cycles, internal code uses the public
 * package only for its exceptions and values, and test hooks stay in {@link TestHooks}. The package-info.java of each
 * package says the same in prose.
 *
 * <p>A failure of the layering and public-package rules lists one line per class and class it may not use, such as
 * {@code store.Header uses ring.RingLayout (Header.java:222); store may use only sys, btf, codec, hooks}; the cycle
 * rule names each cycle of packages with one dependency per edge.
 */
class ArchitectureTest {
    private static final String INTERNAL = "dev.mapsync.internal.";

    /**
     * What each internal package may use besides itself and the JDK, bottom to top: {@code sys} (Linux and bpf(2)
     * bindings) at the bottom with {@code btf} and {@code asm} on it, {@code codec} beside them, {@code hooks} and
     * {@code events} (the Flight Recorder events, which {@code lock} and the packages above it commit) apart;
     * then {@code store}, {@code wait}, {@code lock}, {@code seq}, {@code notify}, and on top the three protocols
     * {@code ring}, {@code hash}, {@code barrier} and {@code counter}, which may use all of these but not each
     * other. The public package
     * may use them all. A package missing here fails the test until it is given its place.
     */
    private static final Map<String, List<String>> MAY_USE = new LinkedHashMap<>();

    static {
        List<String> belowProtocols = List.of("sys", "btf", "codec", "hooks", "events", "store", "wait", "lock", "seq",
                "notify");
        MAY_USE.put("sys", List.of());
        MAY_USE.put("btf", List.of("sys"));
        MAY_USE.put("asm", List.of("sys", "btf"));
        MAY_USE.put("codec", List.of("sys"));
        MAY_USE.put("hooks", List.of());
        MAY_USE.put("events", List.of());
        MAY_USE.put("wait", List.of("sys"));
        MAY_USE.put("store", List.of("sys", "btf", "codec", "hooks"));
        MAY_USE.put("lock", List.of("sys", "btf", "codec", "hooks", "events", "store", "wait"));
        MAY_USE.put("seq", List.of("sys", "btf", "codec", "hooks", "events", "store", "wait", "lock"));
        MAY_USE.put("notify", List.of("sys", "btf", "codec", "hooks", "events", "store", "wait", "lock", "seq"));
        MAY_USE.put("ring", belowProtocols);
        MAY_USE.put("hash", belowProtocols);
        MAY_USE.put("barrier", belowProtocols);
        MAY_USE.put("counter", belowProtocols);
    }

    /**
     * Public types, beside exceptions, records, enums and annotations, that internal code may use because they are
     * values: a schema, a codec (internal codecs implement it), and the sealed interface of an array's change events.
     */
    private static final Set<String> PUBLIC_VALUE_TYPES = Set.of("Schema", "Codec", "ChangeEvent");

    /** Public interfaces that internal classes implement, so that the public handles can hand them out. */
    private static final Set<String> PUBLIC_INTERFACES_IMPLEMENTED_INSIDE = Set.of("Subscription", "LockGuard");

    /** The prefix of the system properties that switch test hooks on; only {@link TestHooks} reads them. */
    private static final String TEST_PROPERTY_PREFIX = "mapsync.test.";

    private static JavaClasses production;

    @BeforeAll
    static void importProductionClasses() {
        // one dependency per edge of a cycle: enough to find it, short enough to read
        ArchConfiguration.get().setProperty("cycles.maxNumberOfDependenciesPerEdge", "1");
        // the rules look at mapsync's classes only: leave the JDK's unimported (much faster)
        ArchConfiguration.get().setResolveMissingDependenciesFromClassPath(false);
        production = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.mapsync");
    }

    @Test
    void internalPackagesHaveNoCycles() {
        ArchRule rule = slices().matching("dev.mapsync.internal.(*)..").namingSlices("$1")
                .should().beFreeOfCycles()
                .because("a package of dev.mapsync.internal must be understood without the ones above it"
                        + " (internalPackagesUseOnlyThePackagesBelowThem names the dependencies that point up)");
        rule.check(production);
    }

    @Test
    void internalPackagesUseOnlyThePackagesBelowThem() {
        ArchRule rule = classes().that().resideInAPackage("dev.mapsync.internal..")
                .should(useOnlyTheInternalPackagesBelowThem())
                .because("dependencies point downward only (see MAY_USE and each package-info.java)");
        rule.check(production);
    }

    @Test
    void internalCodeUsesThePublicPackageOnlyForExceptionsAndValues() {
        ArchRule rule = classes().that().resideInAPackage("dev.mapsync.internal..")
                .should(useThePublicPackageOnlyForExceptionsAndValues())
                .because("the public package sits on top; internal code may see only the types it passes around");
        rule.check(production);
    }

    @Test
    void onlyTestHooksReadsTheTestHookProperties() {
        ArchRule rule = classes().that().resideOutsideOfPackage("dev.mapsync.internal.hooks")
                .should(notNameATestHookProperty())
                .because("test hooks live in one place, off the hot path");
        rule.check(production);
    }

    @Test
    void theOnlyTestHookClassIsTestHooks() {
        ArchRule rule = classes().that(areInTheHooksPackageOrNamedLikeATestHook())
                .should(beTestHooks())
                .because("test hooks live in one place, off the hot path");
        rule.check(production);
    }

    /** The internal package a class is in ({@code store}), or null for a class outside dev.mapsync.internal. */
    private static String internalPackage(JavaClass c) {
        String name = c.getPackageName() + ".";
        if (!name.startsWith(INTERNAL)) return null;
        String rest = name.substring(INTERNAL.length());
        return rest.substring(0, rest.indexOf('.'));
    }

    /** {@code store.Header} for dev.mapsync.internal.store.Header, {@code MapSpec} for dev.mapsync.MapSpec. */
    private static String shortName(JavaClass c) {
        String name = c.getName();
        if (name.startsWith(INTERNAL)) return name.substring(INTERNAL.length());
        return name.startsWith("dev.mapsync.") ? name.substring("dev.mapsync.".length()) : name;
    }

    /** The class itself, or the top-level class it is nested in. */
    private static JavaClass topLevel(JavaClass c) {
        JavaClass t = c;
        while (t.getEnclosingClass().isPresent()) t = t.getEnclosingClass().get();
        return t;
    }

    /**
     * Each dependency of a class on another internal package must be one its package may use: one violation per class
     * and class it may not use, at the first line where it uses it.
     */
    private static ArchCondition<JavaClass> useOnlyTheInternalPackagesBelowThem() {
        return new ArchCondition<>("use only the internal packages below them") {
            @Override
            public void check(JavaClass origin, ConditionEvents events) {
                String from = internalPackage(origin);
                List<String> allowed = MAY_USE.get(from);
                if (allowed == null) {
                    events.add(SimpleConditionEvent.violated(origin, "internal package '" + from + "' ("
                            + origin.getName() + ") has no place in the layering: add it to ArchitectureTest.MAY_USE"));
                    return;
                }
                Map<String, Dependency> firstUse = new TreeMap<>();
                for (Dependency d : origin.getDirectDependenciesFromSelf()) {
                    JavaClass target = d.getTargetClass().getBaseComponentType();
                    String to = internalPackage(target);
                    if (to == null || to.equals(from) || allowed.contains(to)) continue;
                    firstUse.merge(shortName(target), d, ArchitectureTest::earlier);
                }
                String rule = allowed.isEmpty() ? from + " may use no other internal package"
                        : from + " may use only " + String.join(", ", allowed);
                firstUse.forEach((target, d) -> events.add(SimpleConditionEvent.violated(origin,
                        shortName(origin) + " uses " + target + " " + where(d) + "; " + rule)));
            }
        };
    }

    /**
     * Each dependency of an internal class on a type of the public package must be on an exception (the
     * {@link MapSyncException} family), a record, an enum, an annotation or one of the named types.
     */
    private static ArchCondition<JavaClass> useThePublicPackageOnlyForExceptionsAndValues() {
        return new ArchCondition<>("use the public package only for its exceptions and values") {
            @Override
            public void check(JavaClass origin, ConditionEvents events) {
                Map<String, Dependency> firstUse = new TreeMap<>();
                for (Dependency d : origin.getDirectDependenciesFromSelf()) {
                    JavaClass target = d.getTargetClass().getBaseComponentType();
                    if (!target.getPackageName().equals("dev.mapsync") || isExceptionOrValue(target)) continue;
                    firstUse.merge(shortName(target), d, ArchitectureTest::earlier);
                }
                firstUse.forEach((target, d) -> events.add(SimpleConditionEvent.violated(origin,
                        shortName(origin) + " uses " + target + " " + where(d)
                                + ", which is neither an exception nor a value type of dev.mapsync")));
            }
        };
    }

    private static boolean isExceptionOrValue(JavaClass c) {
        if (c.isAssignableTo(MapSyncException.class) || c.isRecord() || c.isEnum() || c.isAnnotation()) return true;
        String name = topLevel(c).getSimpleName();
        return PUBLIC_VALUE_TYPES.contains(name) || PUBLIC_INTERFACES_IMPLEMENTED_INSIDE.contains(name);
    }

    /** Of two dependencies, the one on the earlier line (a signature's type has no line: it comes last). */
    private static Dependency earlier(Dependency a, Dependency b) {
        int la = a.getSourceCodeLocation().getLineNumber(), lb = b.getSourceCodeLocation().getLineNumber();
        if (la == 0) return b;
        if (lb == 0) return a;
        return la <= lb ? a : b;
    }

    /** {@code (Header.java:199)}, or {@code (Header.java)} for a field's or a signature's type. */
    private static String where(Dependency d) {
        var location = d.getSourceCodeLocation();
        return location.getLineNumber() > 0 ? location.toString() : "(" + location.getSourceFileName() + ")";
    }

    /** Classes of the hooks package, and classes whose own name says hook, forTest or testOnly (in any case). */
    private static DescribedPredicate<JavaClass> areInTheHooksPackageOrNamedLikeATestHook() {
        return DescribedPredicate.describe("are in dev.mapsync.internal.hooks or are named like a test hook",
                c -> !c.getSimpleName().equals("package-info")
                        && (c.getPackageName().equals("dev.mapsync.internal.hooks")
                            || c.getName().matches(".*\\.[^.]*(?i:hook|fortest|testonly)[^.]*")));
    }

    /** The class is TestHooks or nested in it. */
    private static ArchCondition<JavaClass> beTestHooks() {
        return new ArchCondition<>("be TestHooks") {
            @Override
            public void check(JavaClass c, ConditionEvents events) {
                if (!topLevel(c).isEquivalentTo(TestHooks.class)) {
                    events.add(SimpleConditionEvent.violated(c, c.getName()
                            + " looks like a test hook; test hooks belong in " + TestHooks.class.getName()));
                }
            }
        };
    }

    /**
     * The class file has no string constant that starts with {@link #TEST_PROPERTY_PREFIX}. (The hooks' property
     * names are private to TestHooks, so the compiler never copies them into another class.)
     */
    private static ArchCondition<JavaClass> notNameATestHookProperty() {
        return new ArchCondition<>("not name a " + TEST_PROPERTY_PREFIX + "* system property") {
            @Override
            public void check(JavaClass c, ConditionEvents events) {
                var source = c.getSource().orElseThrow(() -> new AssertionError("no class file for " + c.getName()));
                byte[] bytes;
                try (InputStream in = source.getUri().toURL().openStream()) {
                    bytes = in.readAllBytes();
                } catch (IOException e) {
                    throw new AssertionError("cannot read " + source.getUri(), e);
                }
                for (PoolEntry e : ClassFile.of().parse(bytes).constantPool()) {
                    if (e instanceof StringEntry s && s.stringValue().startsWith(TEST_PROPERTY_PREFIX)) {
                        events.add(SimpleConditionEvent.violated(c, c.getName() + " names the test hook property \""
                                + s.stringValue() + "\"; only TestHooks may read " + TEST_PROPERTY_PREFIX + "*"));
                    }
                }
            }
        };
    }
}
