package io.gridshare.chain.tx;

import io.gridshare.chain.ChainConnection;
import io.gridshare.chain.ChainException;
import io.gridshare.chain.ContractRevertedException;
import io.gridshare.chain.RpcErrorException;
import io.gridshare.chain.TransactionTimeoutException;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.Locale;
import java.util.Optional;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionEncoder;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.EthBlock;
import org.web3j.protocol.core.methods.response.EthGetTransactionReceipt;
import org.web3j.protocol.core.methods.response.EthSendTransaction;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.utils.Numeric;

/**
 * Sends transactions from one account: simulates first (a revert is decoded and thrown before
 * anything is signed, so no transaction is sent that would fail), estimates gas, signs an
 * EIP-1559 transaction with the chain id (legacy where the chain has no base fee), submits it under
 * the account's {@link NonceManager}, and waits for the configured confirmations.
 */
public final class TransactionSender {
    private static final System.Logger LOG = System.getLogger(TransactionSender.class.getName());
    private static final int MAX_NONCE_RESYNCS = 3;

    private final ChainConnection chain;
    private final Credentials credentials;
    private final TransactionOptions options;
    private final NonceManager nonces;

    public TransactionSender(ChainConnection chain, Credentials credentials, TransactionOptions options) {
        this.chain = chain;
        this.credentials = credentials;
        this.options = options;
        this.nonces = NonceManager.of(chain.rpcUrl(), chain.chainId(), credentials.getAddress());
    }

    /** The sending account. */
    public String address() {
        return credentials.getAddress();
    }

    public ChainConnection chain() {
        return chain;
    }

    public TransactionOptions options() {
        return options;
    }

    /**
     * Sends a contract call and waits for its receipt.
     *
     * @param action what is attempted, for messages (e.g. {@code PaymentChannels.redeem})
     * @throws ContractRevertedException when the call would revert (nothing sent) or reverted on chain
     */
    public TransactionReceipt send(String action, String to, String data) {
        return send(action, to, data, BigInteger.ZERO);
    }

    public TransactionReceipt send(String action, String to, String data, BigInteger value) {
        BigInteger gas = estimateGas(action, Transaction.createFunctionCallTransaction(
                address(), null, null, null, to, value, data));
        String hash = submit(action, to, data, value, gas);
        return awaitReceipt(action, hash, to, data, value);
    }

    /** Deploys a contract ({@code bytecode} followed by the encoded constructor arguments). */
    public TransactionReceipt deploy(String action, String bytecodeWithArgs) {
        BigInteger gas = estimateGas(action, Transaction.createContractTransaction(
                address(), null, null, bytecodeWithArgs));
        String hash = submit(action, null, bytecodeWithArgs, BigInteger.ZERO, gas);
        return awaitReceipt(action, hash, null, bytecodeWithArgs, BigInteger.ZERO);
    }

    /** Sends plain ether. */
    public TransactionReceipt sendEther(String to, BigInteger wei) {
        return send("transfer of " + wei + " wei to " + to, to, "0x", wei);
    }

    /** Estimates gas; a revert here is decoded and thrown, and nothing is sent. */
    public BigInteger estimateGas(String action, Transaction transaction) {
        BigInteger estimate = chain.send(action, chain.web3j().ethEstimateGas(transaction)).getAmountUsed();
        return new BigDecimal(estimate).multiply(BigDecimal.valueOf(options.gasLimitMultiplier()))
                .setScale(0, RoundingMode.CEILING).toBigIntegerExact();
    }

    private String submit(String action, String to, String data, BigInteger value, BigInteger gasLimit) {
        Fees fees = fees();
        for (int attempt = 0; ; attempt++) {
            try {
                return nonces.withNextNonce(this::pendingNonce, nonce -> {
                    RawTransaction raw = fees.baseFee() == null
                            ? RawTransaction.createTransaction(nonce, fees.maxFee(), gasLimit, to == null ? "" : to, value, data)
                            : RawTransaction.createTransaction(chain.chainId(), nonce, gasLimit, to == null ? "" : to,
                            value, data, fees.tip(), fees.maxFee());
                    byte[] signed = TransactionEncoder.signMessage(raw, chain.chainId(), credentials);
                    String signedHex = Numeric.toHexString(signed);
                    String localHash = Hash.sha3(signedHex);
                    EthSendTransaction sent = rawSend(chain.web3j().ethSendRawTransaction(signedHex));
                    if (sent.hasError()) {
                        String message = sent.getError().getMessage().toLowerCase(Locale.ROOT);
                        if (message.contains("already known") || message.contains("already imported")) {
                            // a retried submission of the very same bytes: it is in the pool
                            return localHash;
                        }
                        if (isNonceProblem(message)) {
                            if (isKnown(localHash)) {
                                // the transport retried a submission whose first attempt reached the node:
                                // this very transaction took the nonce, so it is sent; never sign it again
                                return localHash;
                            }
                            throw new NonceConflict(sent.getError().getMessage());
                        }
                        throw chain.toException(action, "eth_sendRawTransaction", sent.getError(), null);
                    }
                    LOG.log(System.Logger.Level.DEBUG, "{0}: sent {1} with nonce {2}", action, sent.getTransactionHash(), nonce);
                    return sent.getTransactionHash();
                });
            } catch (NonceConflict e) {
                nonces.resync();
                if (attempt + 1 >= MAX_NONCE_RESYNCS) {
                    throw new ChainException(action + ": the node kept refusing our nonce (" + e.getMessage()
                            + "); another process is probably sending from " + address() + " at the same time");
                }
            }
        }
    }

    private boolean isKnown(String transactionHash) {
        return chain.send("eth_getTransactionByHash", chain.web3j().ethGetTransactionByHash(transactionHash))
                .getTransaction().isPresent();
    }

    private static boolean isNonceProblem(String message) {
        return message.contains("nonce too low") || message.contains("nonce too high")
                || message.contains("replacement transaction underpriced") || message.contains("invalid nonce");
    }

    private static final class NonceConflict extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NonceConflict(String message) {
            super(message, null, false, false);
        }
    }

    private EthSendTransaction rawSend(Request<?, EthSendTransaction> request) {
        try {
            return request.send();
        } catch (IOException e) {
            throw new io.gridshare.chain.RpcUnavailableException(chain.rpcUrl(), 1, e.getMessage(), e);
        }
    }

    private BigInteger pendingNonce() {
        return chain.send("eth_getTransactionCount", chain.web3j().ethGetTransactionCount(
                address(), DefaultBlockParameterName.PENDING)).getTransactionCount();
    }

    private record Fees(BigInteger baseFee, BigInteger tip, BigInteger maxFee) {
    }

    private Fees fees() {
        EthBlock.Block latest = chain.send("eth_getBlockByNumber",
                chain.web3j().ethGetBlockByNumber(DefaultBlockParameterName.LATEST, false)).getBlock();
        String baseFeeHex = latest.getBaseFeePerGasRaw();
        if (baseFeeHex == null) {
            BigInteger gasPrice = chain.send("eth_gasPrice", chain.web3j().ethGasPrice()).getGasPrice();
            return new Fees(null, null, cap(gasPrice));
        }
        BigInteger baseFee = Numeric.decodeQuantity(baseFeeHex);
        BigInteger tip;
        try {
            tip = chain.send("eth_maxPriorityFeePerGas", chain.web3j().ethMaxPriorityFeePerGas()).getMaxPriorityFeePerGas();
        } catch (RpcErrorException e) {
            tip = BigInteger.valueOf(1_000_000_000L);
        }
        BigInteger maxFee = cap(baseFee.multiply(BigInteger.TWO).add(tip));
        return new Fees(baseFee, tip.min(maxFee), maxFee);
    }

    private BigInteger cap(BigInteger fee) {
        return options.maxFeePerGasCap() == null ? fee : fee.min(options.maxFeePerGasCap());
    }

    /** Waits until the transaction is mined with {@link TransactionOptions#confirmations()} blocks. */
    public TransactionReceipt awaitReceipt(String action, String hash, String to, String data, BigInteger value) {
        long deadline = System.nanoTime() + options.receiptTimeout().toNanos();
        while (true) {
            Optional<TransactionReceipt> receipt = receipt(hash);
            if (receipt.isPresent()) {
                TransactionReceipt r = receipt.get();
                BigInteger head = chain.blockNumber();
                long confirmations = head.subtract(r.getBlockNumber()).longValueExact() + 1;
                if (confirmations >= options.confirmations()) {
                    if (!r.isStatusOK()) {
                        throw revertedOnChain(action, r, to, data, value);
                    }
                    return r;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new TransactionTimeoutException(hash, receipt.isPresent()
                        ? "was mined but did not reach " + options.confirmations() + " confirmations within " + options.receiptTimeout()
                        : "was not mined within " + options.receiptTimeout());
            }
            try {
                Thread.sleep(options.pollInterval());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TransactionTimeoutException(hash, "was still pending when the waiting thread was interrupted");
            }
        }
    }

    private Optional<TransactionReceipt> receipt(String hash) {
        EthGetTransactionReceipt response = chain.send("eth_getTransactionReceipt",
                chain.web3j().ethGetTransactionReceipt(hash));
        return response.getTransactionReceipt();
    }

    private ChainException revertedOnChain(String action, TransactionReceipt receipt, String to, String data, BigInteger value) {
        // replay the call on the state just before the block to learn the custom error
        try {
            DefaultBlockParameter before = DefaultBlockParameter.valueOf(receipt.getBlockNumber().subtract(BigInteger.ONE));
            chain.send(action, chain.web3j().ethCall(
                    Transaction.createFunctionCallTransaction(address(), null, null, receipt.getGasUsed(), to, value, data), before));
        } catch (ContractRevertedException e) {
            return new ContractRevertedException(action, e.errorName(), e.arguments(), e.revertData(), receipt.getTransactionHash());
        } catch (ChainException e) {
            LOG.log(System.Logger.Level.DEBUG, "Replay of failed transaction {0} failed: {1}", receipt.getTransactionHash(), e.getMessage());
        }
        return new ContractRevertedException(action, null, java.util.List.of(), null, receipt.getTransactionHash());
    }
}
