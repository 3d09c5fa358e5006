package io.gridshare.chain.contracts;

import java.math.BigInteger;

/**
 * An EIP-2612 permit: {@code owner} lets {@code spender} pull {@code value} until {@code deadline}.
 *
 * @param v recovery id (27/28)
 * @param r signature r
 * @param s signature s
 */
public record PermitSignature(String owner, String spender, BigInteger value, BigInteger deadline,
                              int v, byte[] r, byte[] s) {
}
