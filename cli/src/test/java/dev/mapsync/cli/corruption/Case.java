package dev.mapsync.cli.corruption;

import java.util.Arrays;
import java.util.List;

/**
 * One generated case: a kind of map, one word of it set to one value (after the words that set up the state the word
 * matters in), one operation. Written to the case file one per line, so that the child JVM that runs cases needs
 * nothing else.
 *
 * @param forged the forged-change field ("seq", "key", ...) the value goes into, or "-"
 */
record Case(int id, MapKind kind, Operation op, Field field, Values.Value value, List<Poke> pokes, String forged) {
    static Case of(int id, MapKind kind, Operation op, Field field, Values.Value value) {
        List<Poke> pokes = field.forged() ? List.of() : ordered(field, value);
        return new Case(id, kind, op, field, value, pokes, field.forged() ? field.name() : "-");
    }

    /**
     * The setup's words in their order (a window's tag and sequence are stored last, as a writer stores them), the
     * field's own word in the place of the setup's word at its offset, or first.
     */
    private static List<Poke> ordered(Field field, Values.Value value) {
        Poke target = new Poke(field.offset(), field.width(), value.value());
        boolean replaced = field.setup().stream().anyMatch(p -> p.offset() == field.offset());
        List<Poke> out = new java.util.ArrayList<>(field.setup().stream()
                .map(p -> p.offset() == field.offset() ? target : p).toList());
        if (!replaced) out.addFirst(target);
        return out;
    }

    /** What a report says of this case. */
    String describe() {
        return "case " + id + ": " + kind + ", " + field.label() + " = " + value.label() + " (" + value.value() + ", 0x"
                + Long.toHexString(value.value()) + "), " + op.name();
    }

    String line(int opIndex) {
        String pokeText = pokes.isEmpty() ? "-" : String.join(";", pokes.stream().map(Poke::text).toList());
        return String.join("\t", Integer.toString(id), kind.name(), Integer.toString(opIndex), pokeText, forged,
                Long.toString(value.value()));
    }

    /** A case as the runner reads it back: what it needs to run, no more. */
    record Line(int id, MapKind kind, int opIndex, List<Poke> pokes, String forged, long value) {
        static Line parse(String line) {
            String[] f = line.split("\t");
            List<Poke> pokes = f[3].equals("-") ? List.of() : Arrays.stream(f[3].split(";")).map(Poke::parse).toList();
            return new Line(Integer.parseInt(f[0]), MapKind.valueOf(f[1]), Integer.parseInt(f[2]), pokes, f[4],
                    Long.parseLong(f[5]));
        }
    }
}
