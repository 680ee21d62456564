package dev.mapsync.cli.export;

import dev.mapsync.Schema;

import java.lang.reflect.Array;
import java.util.Map;
import java.util.function.ObjDoubleConsumer;

/**
 * The numeric fields of a value, flattened to names and numbers: {@code balance}, {@code pos.x}, {@code hits[2]};
 * a scalar value is the field {@code value}. Booleans count as 0 and 1; strings are left out.
 */
public final class NumericFields {
    private NumericFields() {}

    /** How many numeric fields a value of {@code schema} has: the series each entry makes. */
    public static int count(Schema schema) {
        return switch (schema.kind()) {
            case STRUCT -> schema.fields().stream().mapToInt(f -> count(f.type())).sum();
            case ARRAY -> schema.length(); // arrays are of numbers and bools
            case CHARS -> 0;
            default -> 1;
        };
    }

    /** Calls {@code out} with the name and number of each numeric field of {@code value}, a value of {@code schema}. */
    public static void forEach(Schema schema, Object value, ObjDoubleConsumer<String> out) {
        visit(schema, value, schema.kind() == Schema.Kind.STRUCT ? "" : "value", out);
    }

    private static void visit(Schema schema, Object value, String path, ObjDoubleConsumer<String> out) {
        switch (schema.kind()) {
            case STRUCT -> {
                Map<?, ?> fields = (Map<?, ?>) value;
                for (Schema.Field f : schema.fields()) {
                    visit(f.type(), fields.get(f.name()), path.isEmpty() ? f.name() : path + "." + f.name(), out);
                }
            }
            case ARRAY -> {
                Schema.Kind element = schema.element().orElseThrow().kind();
                for (int i = 0; i < Array.getLength(value); i++) {
                    out.accept(path + "[" + i + "]", number(element, Array.get(value, i)));
                }
            }
            case CHARS -> { }
            default -> out.accept(path, number(schema.kind(), value));
        }
    }

    private static double number(Schema.Kind kind, Object v) {
        return switch (kind) {
            case BOOL -> (Boolean) v ? 1 : 0;
            case U64 -> {
                long bits = ((Number) v).longValue();
                yield bits >= 0 ? bits : (bits >>> 1) * 2.0 + (bits & 1);
            }
            case U8 -> ((Number) v).intValue() & 0xFF;
            case U16 -> ((Number) v).intValue() & 0xFFFF;
            case U32 -> ((Number) v).longValue() & 0xFFFF_FFFFL;
            default -> ((Number) v).doubleValue();
        };
    }
}
