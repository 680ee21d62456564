package dev.mapsync.cli;

import picocli.CommandLine;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads durations as the shell's timeout(1) does: {@code 5} or {@code 5s}, {@code 250ms}, {@code 2m}, {@code 1h}. */
final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    /**
     * A plain decimal number and a unit: not Java's float syntax, which would also take {@code NaN},
     * {@code Infinity}, {@code 1e3} and {@code 5d} (a double literal, not five days).
     */
    private static final Pattern FORM = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ms|s|m|h)?");
    private static final BigInteger MAX_NANOS = BigInteger.valueOf(Long.MAX_VALUE);

    @Override
    public Duration convert(String text) {
        Matcher m = FORM.matcher(text.strip());
        if (!m.matches()) {
            throw new CommandLine.TypeConversionException("'" + text + "' is not a duration (such as 5, 5s, 250ms, 2m)");
        }
        long unit = switch (m.group(2) == null ? "s" : m.group(2)) {
            case "ms" -> 1_000_000L;
            case "m" -> 60_000_000_000L;
            case "h" -> 3_600_000_000_000L;
            default -> 1_000_000_000L;
        };
        BigInteger nanos = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unit)).toBigInteger();
        // a Duration holds more, but every wait counts in long nanoseconds
        if (nanos.compareTo(MAX_NANOS) > 0) throw new CommandLine.TypeConversionException("'" + text + "' is more than 292 years");
        return Duration.ofNanos(nanos.longValue());
    }
}
