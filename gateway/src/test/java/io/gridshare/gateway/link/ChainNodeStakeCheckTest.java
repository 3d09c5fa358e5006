package io.gridshare.gateway.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gridshare.chain.ChainConnection;
import io.gridshare.chain.contracts.GridshareContracts;
import io.gridshare.chain.local.LocalChain;
import io.gridshare.chain.rpc.RetryPolicy;
import io.gridshare.chain.tx.TransactionOptions;
import java.math.BigInteger;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Keys;

/** The gateway's admission rule read from a real NodeRegistry on anvil. */
class ChainNodeStakeCheckTest {

    private static LocalChain chain;
    private static GridshareContracts contracts;
    private static ChainNodeStakeCheck check;

    @BeforeAll
    static void startChain() {
        chain = LocalChain.start(LocalChain.Options.defaults().withChainId(31391));
        contracts = GridshareContracts.as(chain.connection(), chain.deployment(), chain.account(0),
                TransactionOptions.defaults());
        check = new ChainNodeStakeCheck(contracts.nodeRegistry(), chain.connection());
    }

    @AfterAll
    static void stopChain() {
        if (chain != null) {
            chain.close();
        }
    }

    @Test
    void aKeyRegisteredWithTheMinimumStakeIsAdmitted() throws Exception {
        String nodeKey = freshKey();
        BigInteger stake = chain.options().minStake();
        register(chain.account(1), nodeKey, stake);

        StakeVerdict verdict = check.check(nodeKey);

        assertThat(verdict.outcome()).isEqualTo(StakeVerdict.Outcome.ADMITTED);
        assertThat(verdict.stake()).isEqualTo(stake);
        assertThat(verdict.minimum()).isEqualTo(chain.options().minStake());
    }

    @Test
    void anUnknownKeyIsNotRegistered() throws Exception {
        StakeVerdict verdict = check.check(freshKey());

        assertThat(verdict.outcome()).isEqualTo(StakeVerdict.Outcome.NOT_REGISTERED);
        assertThat(verdict.stake()).isZero();
    }

    @Test
    void aKeyUnbondingBelowTheMinimumHasInsufficientStake() throws Exception {
        String nodeKey = freshKey();
        BigInteger stake = chain.options().minStake();
        register(chain.account(2), nodeKey, stake);
        contracts.as(chain.account(2)).nodeRegistry().startUnbonding(nodeKey, BigInteger.ONE);

        StakeVerdict verdict = check.check(nodeKey);

        assertThat(verdict.outcome()).isEqualTo(StakeVerdict.Outcome.INSUFFICIENT_STAKE);
        assertThat(verdict.stake()).isEqualTo(stake.subtract(BigInteger.ONE));
    }

    @Test
    void aChainThatGoesDownIsReportedAsUnavailableNotAsARejection() throws Exception {
        ChainNodeStakeCheck deadCheck;
        String rpcUrl;
        try (LocalChain shortLived = LocalChain.start(LocalChain.Options.defaults().withChainId(31392))) {
            rpcUrl = shortLived.deployment().rpcUrl();
            GridshareContracts readOnly = GridshareContracts.readOnly(
                    ChainConnection.connect(rpcUrl, new RetryPolicy(1, Duration.ofMillis(1), Duration.ofMillis(1))),
                    shortLived.deployment());
            deadCheck = new ChainNodeStakeCheck(readOnly.nodeRegistry(), readOnly.chain());
            assertThat(deadCheck.reachable()).isTrue();
        }

        assertThat(deadCheck.reachable()).isFalse();
        assertThatThrownBy(() -> deadCheck.check(freshKey()))
                .isInstanceOf(StakeCheckUnavailableException.class)
                .hasMessageContaining(rpcUrl);
        assertThat(check.reachable()).isTrue();
    }

    private static void register(Credentials operator, String nodeKey, BigInteger stake) {
        GridshareContracts asOperator = contracts.as(operator);
        asOperator.gridToken().approve(chain.deployment().nodeRegistry(), stake);
        asOperator.nodeRegistry().register(nodeKey, stake, new byte[32], "ipfs://node");
    }

    private static String freshKey() throws Exception {
        return "0x" + Keys.getAddress(Keys.createEcKeyPair().getPublicKey());
    }
}
