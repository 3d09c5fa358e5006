package io.gridshare.gateway.openai;

import static org.assertj.core.api.Assertions.assertThat;

import io.gridshare.client.ChannelKey;
import io.gridshare.client.DepositSource;
import io.gridshare.client.GridshareClientException;
import io.gridshare.client.PaymentRefusedException;
import io.grpc.Status;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;

class PaidRestJobsTest {

    @TempDir
    Path dir;

    private PaidRestJobs jobs() {
        OpenAiSession alice = new OpenAiSession("alice", "sk-alice",
                new ChannelKey(31337, "0x5fbdb2315678afecb367f032d93f642f64180aa3", BigInteger.ONE),
                Credentials.create("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"));
        return new PaidRestJobs(Map.of("sk-alice", alice), () -> "127.0.0.1:1", dir, DepositSource.cap(BigInteger.TEN));
    }

    @Test
    void aBearerHeaderNamesItsSessionCaseInsensitivelyInTheScheme() {
        try (PaidRestJobs jobs = jobs()) {
            assertThat(jobs.session("Bearer sk-alice")).map(OpenAiSession::name).hasValue("alice");
            assertThat(jobs.session("bearer sk-alice")).map(OpenAiSession::name).hasValue("alice");
        }
    }

    @Test
    void aMissingWrongOrNonBearerHeaderNamesNoSession() {
        try (PaidRestJobs jobs = jobs()) {
            assertThat(jobs.session(null)).isEmpty();
            assertThat(jobs.session("Bearer sk-bob")).isEmpty();
            assertThat(jobs.session("Basic sk-alice")).isEmpty();
        }
    }

    @Test
    void anExhaustedDepositIsTheTenantsToFixAndAGatewayStatusIsKept() {
        assertThat(PaidRestJobs.status(new PaymentRefusedException("above the deposit", "top up")).getCode())
                .isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(PaidRestJobs.status(GridshareClientException.withCode(Status.Code.PERMISSION_DENIED,
                "voucher rejected", "", null)).getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(PaidRestJobs.status(new GridshareClientException("bad receipt", "see the cause")).getCode())
                .isEqualTo(Status.Code.INTERNAL);
    }
}
