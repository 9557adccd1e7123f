package dev.raft.examples.config;

import java.util.Locale;

/** Integers with an optional binary size suffix: {@code 4096}, {@code 64KiB}, {@code 4MiB}, {@code 1GiB} (also K, M, G). */
public final class Sizes {
    private Sizes() {
    }

    /**
     * Parses a value.
     *
     * @throws NumberFormatException if it is not an integer with an optional suffix, or overflows
     */
    public static long parse(String text) {
        final String t = text.trim().toUpperCase(Locale.ROOT);
        final String[][] suffixes = {{"KIB", "10"}, {"MIB", "20"}, {"GIB", "30"}, {"K", "10"}, {"M", "20"}, {"G", "30"}};
        for (String[] s : suffixes) {
            if (t.endsWith(s[0])) {
                final long base = Long.parseLong(t.substring(0, t.length() - s[0].length()).trim());
                final int shift = Integer.parseInt(s[1]);
                if (Math.abs(base) > (Long.MAX_VALUE >> shift)) {
                    throw new NumberFormatException("overflow: " + text);
                }
                return base << shift;
            }
        }
        return Long.parseLong(t);
    }
}
