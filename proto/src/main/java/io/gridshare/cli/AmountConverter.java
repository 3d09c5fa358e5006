package io.gridshare.cli;

import io.gridshare.client.Amounts;
import java.math.BigInteger;
import picocli.CommandLine;

/** Parses GRID amounts ("10", "0.5", "10GRID") or base units ("1000base") for options. */
final class AmountConverter implements CommandLine.ITypeConverter<BigInteger> {
    @Override
    public BigInteger convert(String value) {
        try {
            return Amounts.parse(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }
}
