package io.gridshare.chain.voucher;

import io.gridshare.chain.InvalidVoucherException;
import io.gridshare.chain.InvalidVoucherException.Reason;
import java.math.BigInteger;
import org.web3j.crypto.Credentials;

/**
 * The payer's side of one channel (a tenant paying a gateway, or a gateway paying a node): keeps
 * the cumulative amount owed and signs the next voucher for it. Refuses to sign past the deposit,
 * so a payer never promises money the channel does not hold. Thread-safe.
 */
public final class ChannelSigner {
    private final VoucherDomain domain;
    private final BigInteger channelId;
    private final Credentials signer;
    private BigInteger deposit;
    private BigInteger cumulative;

    /**
     * @param startingAt what was already promised on this channel (the last voucher's amount, or 0)
     */
    public ChannelSigner(VoucherDomain domain, BigInteger channelId, BigInteger deposit, Credentials signer,
                         BigInteger startingAt) {
        if (startingAt.signum() < 0 || startingAt.compareTo(deposit) > 0) {
            throw new IllegalArgumentException("startingAt " + startingAt + " must be within [0, deposit " + deposit + "]");
        }
        this.domain = domain;
        this.channelId = channelId;
        this.deposit = deposit;
        this.signer = signer;
        this.cumulative = startingAt;
    }

    /**
     * Adds {@code amount} to what is owed and signs a voucher for the new total.
     *
     * @throws InvalidVoucherException EXCEEDS_DEPOSIT when the total would pass the deposit (nothing changes)
     */
    public synchronized Voucher pay(BigInteger amount) {
        if (amount.signum() <= 0) {
            throw new IllegalArgumentException("A payment must be positive, was " + amount);
        }
        BigInteger next = cumulative.add(amount);
        if (next.compareTo(deposit) > 0) {
            throw new InvalidVoucherException(Reason.EXCEEDS_DEPOSIT, "Paying " + amount + " on channel " + channelId
                    + " would owe " + next + ", more than its deposit " + deposit + ": top the channel up first");
        }
        Voucher voucher = Vouchers.sign(domain, channelId, next, signer);
        cumulative = next;
        return voucher;
    }

    /** Records a top-up seen on chain (the deposit only grows). */
    public synchronized void depositIncreasedTo(BigInteger newDeposit) {
        if (newDeposit.compareTo(deposit) > 0) {
            deposit = newDeposit;
        }
    }

    /** Total promised so far. */
    public synchronized BigInteger cumulative() {
        return cumulative;
    }

    /** What can still be promised before a top-up. */
    public synchronized BigInteger remaining() {
        return deposit.subtract(cumulative);
    }

    public BigInteger channelId() {
        return channelId;
    }
}
