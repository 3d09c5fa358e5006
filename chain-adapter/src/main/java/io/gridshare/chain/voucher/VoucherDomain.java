package io.gridshare.chain.voucher;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import org.web3j.crypto.Hash;
import org.web3j.crypto.Keys;
import org.web3j.utils.Numeric;

/**
 * The EIP-712 domain of Gridshare vouchers: name "Gridshare PaymentChannels", version "1", the
 * chain id and the PaymentChannels contract. Binding both makes a voucher worthless on any other
 * chain or contract.
 *
 * @param chainId the chain the PaymentChannels contract lives on
 * @param verifyingContract the PaymentChannels address
 */
public record VoucherDomain(long chainId, String verifyingContract) {
    public static final String NAME = "Gridshare PaymentChannels";
    public static final String VERSION = "1";
    static final byte[] DOMAIN_TYPEHASH = Hash.sha3(
            "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)".getBytes(StandardCharsets.UTF_8));
    static final byte[] VOUCHER_TYPEHASH = Hash.sha3(
            "Voucher(uint256 channelId,uint256 cumulativeAmount)".getBytes(StandardCharsets.UTF_8));

    public VoucherDomain {
        if (verifyingContract == null || !verifyingContract.matches("0x[0-9a-fA-F]{40}")) {
            throw new IllegalArgumentException("verifyingContract must be a 0x-prefixed 20-byte address, was " + verifyingContract);
        }
        verifyingContract = Keys.toChecksumAddress(verifyingContract);
    }

    /** {@code keccak256(abi.encode(DOMAIN_TYPEHASH, keccak(name), keccak(version), chainId, contract))}. */
    public byte[] separator() {
        byte[] encoded = new byte[32 * 5];
        System.arraycopy(DOMAIN_TYPEHASH, 0, encoded, 0, 32);
        System.arraycopy(Hash.sha3(NAME.getBytes(StandardCharsets.UTF_8)), 0, encoded, 32, 32);
        System.arraycopy(Hash.sha3(VERSION.getBytes(StandardCharsets.UTF_8)), 0, encoded, 64, 32);
        System.arraycopy(word(BigInteger.valueOf(chainId)), 0, encoded, 96, 32);
        System.arraycopy(word(Numeric.toBigInt(verifyingContract)), 0, encoded, 128, 32);
        return Hash.sha3(encoded);
    }

    /** The EIP-712 digest a voucher signs: {@code keccak256(0x1901 ‖ separator ‖ structHash)}. */
    public byte[] digest(BigInteger channelId, BigInteger cumulativeAmount) {
        byte[] struct = new byte[32 * 3];
        System.arraycopy(VOUCHER_TYPEHASH, 0, struct, 0, 32);
        System.arraycopy(word(channelId), 0, struct, 32, 32);
        System.arraycopy(word(cumulativeAmount), 0, struct, 64, 32);
        byte[] message = new byte[2 + 32 + 32];
        message[0] = 0x19;
        message[1] = 0x01;
        System.arraycopy(separator(), 0, message, 2, 32);
        System.arraycopy(Hash.sha3(struct), 0, message, 34, 32);
        return Hash.sha3(message);
    }

    static byte[] word(BigInteger value) {
        if (value.signum() < 0 || value.bitLength() > 256) {
            throw new IllegalArgumentException("Value does not fit uint256: " + value);
        }
        return Numeric.toBytesPadded(value, 32);
    }
}
