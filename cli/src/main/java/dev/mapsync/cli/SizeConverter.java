package dev.mapsync.cli;

import picocli.CommandLine;

/** Reads byte sizes: {@code 65536}, {@code 64K}, {@code 1M}, {@code 1G} (powers of 1024). */
final class SizeConverter implements CommandLine.ITypeConverter<Integer> {
    @Override
    public Integer convert(String text) {
        String t = text.strip().toUpperCase(java.util.Locale.ROOT);
        long unit = switch (t.isEmpty() ? ' ' : t.charAt(t.length() - 1)) {
            case 'K' -> 1L << 10;
            case 'M' -> 1L << 20;
            case 'G' -> 1L << 30;
            default -> 1;
        };
        try {
            long n = Long.parseLong(unit == 1 ? t : t.substring(0, t.length() - 1)) * unit;
            if (n < 0 || n > Integer.MAX_VALUE) throw new NumberFormatException();
            return (int) n;
        } catch (NumberFormatException e) {
            throw new CommandLine.TypeConversionException("'" + text + "' is not a size (such as 65536, 64K, 1M)");
        }
    }
}
