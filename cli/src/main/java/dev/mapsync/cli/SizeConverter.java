package dev.mapsync.cli;

import picocli.CommandLine;

import java.math.BigInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads byte sizes: {@code 65536}, {@code 64K}, {@code 1M}, {@code 1G} (powers of 1024). */
final class SizeConverter implements CommandLine.ITypeConverter<Integer> {
    private static final Pattern FORM = Pattern.compile("(\\d+)([KMG]?)");

    @Override
    public Integer convert(String text) {
        Matcher m = FORM.matcher(text.strip().toUpperCase(java.util.Locale.ROOT));
        if (!m.matches()) throw new CommandLine.TypeConversionException("'" + text + "' is not a size (such as 65536, 64K, 1M)");
        int shift = switch (m.group(2)) {
            case "K" -> 10;
            case "M" -> 20;
            case "G" -> 30;
            default -> 0;
        };
        // in BigInteger: a long would wrap 16G x 2^30 around to 0, a size that looks valid
        BigInteger n = new BigInteger(m.group(1)).shiftLeft(shift);
        if (n.bitLength() > 31) {
            throw new CommandLine.TypeConversionException("'" + text + "' is more than " + Integer.MAX_VALUE + " bytes");
        }
        return n.intValue();
    }
}
