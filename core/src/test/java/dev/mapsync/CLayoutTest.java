package dev.mapsync;

import dev.mapsync.testkit.Machine;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Record and schema layouts equal what gcc gives the same C struct: a generated C program prints
 * {@code sizeof}, {@code _Alignof} and {@code offsetof} of every field of many structs, and each is compared.
 */
class CLayoutTest {
    record Point(int x, int y) {}

    record Mixed(byte b, short s, int i, long l, float f, double d, boolean z, @Chars(5) String c,
                 @Size(3) int[] arr, Point p, @Unsigned int u) {}

    record Account(long id, long balance, @Chars(16) String owner) {}

    @Test
    void layoutsMatchGcc() throws Exception {
        Machine.requireCompiler();
        Map<String, Schema> schemas = new LinkedHashMap<>();
        schemas.put("mixed", Codec.record(Mixed.class).schema());
        schemas.put("account", Codec.record(Account.class).schema());
        schemas.put("packedish", Schema.parse("a:i8,b:char[3],c:i16,d:bool,e:{f:i8,g:f64},h:u8"));
        Random random = new Random(20261125);
        for (int i = 0; i < 40; i++) schemas.put("random" + i, randomStruct(random, 0));

        StringBuilder c = new StringBuilder("#include <stdio.h>\n#include <stddef.h>\n#include <stdint.h>\n#include <stdbool.h>\n");
        StringBuilder main = new StringBuilder("int main(void) {\n");
        Map<String, Long> expected = new LinkedHashMap<>();
        for (var e : schemas.entrySet()) {
            String tag = "s_" + e.getKey();
            c.append("struct ").append(tag).append(" {\n").append(members(e.getValue(), "  ")).append("};\n");
            main.append("  printf(\"").append(tag).append(".sizeof=%zu\\n\", sizeof(struct ").append(tag).append("));\n");
            main.append("  printf(\"").append(tag).append(".alignof=%zu\\n\", _Alignof(struct ").append(tag).append("));\n");
            expected.put(tag + ".sizeof", (long) e.getValue().size());
            expected.put(tag + ".alignof", (long) e.getValue().alignment());
            for (String path : fieldPaths(e.getValue(), "")) {
                main.append("  printf(\"").append(tag).append('.').append(path).append("=%zu\\n\", offsetof(struct ")
                        .append(tag).append(", ").append(path).append("));\n");
                expected.put(tag + "." + path, (long) e.getValue().field(path).orElseThrow().offset());
            }
        }
        c.append(main).append("  return 0;\n}\n");

        Path dir = Files.createTempDirectory("mapsync-layout"); // /tmp: /dev/shm is often mounted noexec
        try {
            Files.writeString(dir.resolve("layout.c"), c);
            run(dir, "gcc", "-std=c11", "-Wall", "-o", "layout", "layout.c");
            Map<String, Long> actual = new LinkedHashMap<>();
            for (String line : run(dir, dir.resolve("layout").toString()).split("\n")) {
                actual.put(line.substring(0, line.indexOf('=')), Long.parseLong(line.substring(line.indexOf('=') + 1)));
            }
            assertEquals(expected, actual);
        } finally {
            dev.mapsync.testkit.TestDirs.delete(dir);
        }
    }

    private static String members(Schema struct, String indent) {
        StringBuilder b = new StringBuilder();
        for (Schema.Field f : struct.fields()) {
            Schema t = f.type();
            switch (t.kind()) {
                case STRUCT -> b.append(indent).append("struct {\n").append(members(t, indent + "  "))
                        .append(indent).append("} ").append(f.name()).append(";\n");
                case CHARS -> b.append(indent).append("char ").append(f.name()).append('[').append(t.length()).append("];\n");
                case ARRAY -> b.append(indent).append(cScalar(t.element().orElseThrow().kind())).append(' ')
                        .append(f.name()).append('[').append(t.length()).append("];\n");
                default -> b.append(indent).append(cScalar(t.kind())).append(' ').append(f.name()).append(";\n");
            }
        }
        return b.toString();
    }

    private static String cScalar(Schema.Kind k) {
        return switch (k) {
            case I8 -> "int8_t";
            case I16 -> "int16_t";
            case I32 -> "int32_t";
            case I64 -> "int64_t";
            case U8 -> "uint8_t";
            case U16 -> "uint16_t";
            case U32 -> "uint32_t";
            case U64 -> "uint64_t";
            case F32 -> "float";
            case F64 -> "double";
            case BOOL -> "bool";
            default -> throw new IllegalArgumentException(k.toString());
        };
    }

    private static List<String> fieldPaths(Schema struct, String prefix) {
        List<String> paths = new ArrayList<>();
        for (Schema.Field f : struct.fields()) {
            paths.add(prefix + f.name());
            if (f.type().kind() == Schema.Kind.STRUCT) paths.addAll(fieldPaths(f.type(), prefix + f.name() + "."));
        }
        return paths;
    }

    private static Schema randomStruct(Random r, int depth) {
        int n = 1 + r.nextInt(6);
        List<Schema.Field> fields = new ArrayList<>();
        Schema.Kind[] scalars = {Schema.Kind.I8, Schema.Kind.I16, Schema.Kind.I32, Schema.Kind.I64, Schema.Kind.U8,
                Schema.Kind.U16, Schema.Kind.U32, Schema.Kind.U64, Schema.Kind.F32, Schema.Kind.F64, Schema.Kind.BOOL};
        for (int i = 0; i < n; i++) {
            int pick = r.nextInt(10);
            Schema t;
            if (pick < 6) t = Schema.scalar(scalars[r.nextInt(scalars.length)]);
            else if (pick < 7) t = Schema.chars(1 + r.nextInt(9));
            else if (pick < 9 || depth >= 2) t = Schema.array(Schema.scalar(scalars[r.nextInt(scalars.length)]), 1 + r.nextInt(4));
            else t = randomStruct(r, depth + 1);
            fields.add(Schema.field("f" + i, t));
        }
        return Schema.struct(fields);
    }

    private static String run(Path dir, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", command) + " failed:\n" + out);
        }
        return out;
    }
}
