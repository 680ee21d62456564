package dev.mapsync.cli;

/** Numbers the commands read from text. */
final class Integers {
    private Integers() {}

    /** Permission bits such as {@code 0640}: octal digits only (no sign, which Integer.parseInt would take). */
    static int octal(String text) {
        if (!text.matches("[0-7]{1,10}")) {
            throw new IllegalArgumentException("mode '" + text + "' is not an octal number such as 0640");
        }
        return Integer.parseInt(text, 8);
    }
}
