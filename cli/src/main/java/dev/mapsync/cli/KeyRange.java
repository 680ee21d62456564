package dev.mapsync.cli;

/** The {@code --keys} option: {@code A-B} (inclusive) or one key {@code A}; absent, every key. */
final class KeyRange {
    private KeyRange() {}

    static int[] parse(String text, int length) {
        if (text == null) return new int[]{0, length - 1};
        try {
            int dash = text.indexOf('-', 1);
            int from = Integer.parseInt(dash < 0 ? text : text.substring(0, dash));
            int to = dash < 0 ? from : Integer.parseInt(text.substring(dash + 1));
            if (from < 0 || to >= length || from > to) {
                throw new IllegalArgumentException("--keys " + text + " is not a range within 0.." + (length - 1));
            }
            return new int[]{from, to};
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--keys " + text + " is not A-B or A");
        }
    }
}
