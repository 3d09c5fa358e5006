package io.gridshare.gateway.job;

import io.gridshare.proto.v1.PaymentDue;
import io.gridshare.proto.v1.Voucher;
import java.math.BigInteger;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A meter that counts tokens and amounts (tokens × price) but asks for no vouchers: the gateway
 * serves without payment channels until the voucher meter replaces this one.
 */
public final class CountingJobMeter implements JobMeter {

    private final AtomicLong tokensMetered = new AtomicLong();
    private final AtomicLong vouchersIgnored = new AtomicLong();

    /** Tokens delivered over all jobs since start. */
    public long tokensMetered() {
        return tokensMetered.get();
    }

    public long vouchersIgnored() {
        return vouchersIgnored.get();
    }

    @Override
    public MeterSession open(JobQuote quote) {
        return new MeterSession() {
            @Override
            public long deliverableThrough() {
                return Long.MAX_VALUE;
            }

            @Override
            public Optional<PaymentDue> onDelivered(long cumulativeTokens, String nodeId, int tokens) {
                tokensMetered.addAndGet(tokens);
                return Optional.empty();
            }

            @Override
            public void onVoucher(Voucher voucher) {
                vouchersIgnored.incrementAndGet();
            }

            @Override
            public BigInteger amountFor(long tokens) {
                return quote.pricePerToken().multiply(BigInteger.valueOf(tokens));
            }
        };
    }
}
