package dev.mapsync.cli;

/** Numbers the commands read from text. */
final class Integers {
    private Integers() {}

    /** Permission bits such as {@code 0640}. */
    static int octal(String text) {
        try {
            return Integer.parseInt(text, 8);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("mode '" + text + "' is not an octal number such as 0640");
        }
    }
}
