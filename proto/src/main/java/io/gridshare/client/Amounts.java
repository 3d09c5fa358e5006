package io.gridshare.client;

import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * GRID amounts for people: GRID has 18 decimals; "1.5" GRID is 1.5 × 10^18 base units. Parsing
 * accepts GRID ("10", "0.25", "10GRID") or base units with a suffix ("1000base").
 */
public final class Amounts {
    public static final int DECIMALS = 18;
    private static final BigDecimal ONE_GRID = BigDecimal.TEN.pow(DECIMALS);

    private Amounts() {
    }

    /** Parses "10", "0.25", "10GRID" (GRID) or "1000base" (base units). */
    public static BigInteger parse(String text) {
        String t = text.trim().replace("_", "");
        try {
            if (t.toLowerCase(java.util.Locale.ROOT).endsWith("base")) {
                BigInteger value = new BigInteger(t.substring(0, t.length() - 4).trim());
                if (value.signum() < 0) {
                    throw new NumberFormatException("negative");
                }
                return value;
            }
            if (t.toUpperCase(java.util.Locale.ROOT).endsWith("GRID")) {
                t = t.substring(0, t.length() - 4).trim();
            }
            BigDecimal grid = new BigDecimal(t);
            if (grid.signum() < 0) {
                throw new NumberFormatException("negative");
            }
            return grid.multiply(ONE_GRID).toBigIntegerExact();
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("'" + text + "' is not an amount: write GRID (\"10\", \"0.5\") or base units"
                    + " (\"1000base\"), non-negative, at most 18 decimals");
        }
    }

    /** Base units as GRID, without trailing zeros ("1.5"). */
    public static String format(BigInteger baseUnits) {
        BigDecimal grid = new BigDecimal(baseUnits).divide(ONE_GRID);
        String s = grid.stripTrailingZeros().toPlainString();
        return s;
    }
}
