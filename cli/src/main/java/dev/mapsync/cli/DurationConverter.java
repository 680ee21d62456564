package dev.mapsync.cli;

import picocli.CommandLine;

import java.time.Duration;

/** Reads durations as the shell's timeout(1) does: {@code 5} or {@code 5s}, {@code 250ms}, {@code 2m}, {@code 1h}. */
final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String text) {
        String t = text.strip();
        try {
            if (t.endsWith("ms")) return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            double amount = Double.parseDouble(t.replaceAll("[smh]$", ""));
            double seconds = switch (t.charAt(t.length() - 1)) {
                case 'm' -> amount * 60;
                case 'h' -> amount * 3600;
                default -> amount;
            };
            if (seconds < 0) throw new NumberFormatException();
            return Duration.ofNanos((long) (seconds * 1e9));
        } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
            throw new CommandLine.TypeConversionException("'" + text + "' is not a duration (such as 5, 5s, 250ms, 2m)");
        }
    }
}
