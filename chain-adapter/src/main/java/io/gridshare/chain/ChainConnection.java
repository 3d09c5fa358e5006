package io.gridshare.chain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gridshare.chain.contracts.ContractErrors;
import io.gridshare.chain.rpc.HttpClientWeb3jService;
import io.gridshare.chain.rpc.RetryPolicy;
import java.io.IOException;
import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.EthCall;

/**
 * One JSON-RPC endpoint of one chain: the web3j client over {@link HttpClientWeb3jService}, the
 * chain id read once at connect, and the custom errors used to decode reverts. Every request
 * goes through {@link #send}, which turns JSON-RPC errors into {@link RpcErrorException} or,
 * for reverts, {@link ContractRevertedException}.
 */
public final class ChainConnection implements AutoCloseable {
    private final HttpClientWeb3jService service;
    private final Web3j web3j;
    private final long chainId;
    private final ContractErrors errors;

    private ChainConnection(HttpClientWeb3jService service, ContractErrors errors) {
        this.service = service;
        this.web3j = Web3j.build(service);
        this.errors = errors;
        this.chainId = send("eth_chainId", web3j.ethChainId()).getChainId().longValueExact();
    }

    /** Connects with default retries and the Gridshare contracts' errors. */
    public static ChainConnection connect(String rpcUrl) {
        return connect(rpcUrl, RetryPolicy.defaults());
    }

    /** Connects and reads the chain id; fails with {@link RpcUnavailableException} when unreachable. */
    public static ChainConnection connect(String rpcUrl, RetryPolicy retryPolicy) {
        return connect(new HttpClientWeb3jService(rpcUrl, retryPolicy, Duration.ofSeconds(30), Map.of()),
                ContractErrors.gridshare());
    }

    public static ChainConnection connect(HttpClientWeb3jService service, ContractErrors errors) {
        try {
            return new ChainConnection(service, errors);
        } catch (RuntimeException e) {
            service.close();
            throw e;
        }
    }

    public Web3j web3j() {
        return web3j;
    }

    /** The transport, for requests web3j has no method for (e.g. anvil's evm_* calls). */
    public HttpClientWeb3jService service() {
        return service;
    }

    public long chainId() {
        return chainId;
    }

    public String rpcUrl() {
        return service.url();
    }

    public ContractErrors errors() {
        return errors;
    }

    /**
     * Sends one request and returns its response, throwing on a JSON-RPC error.
     *
     * @param action what is attempted, for messages (e.g. {@code PaymentChannels.redeem})
     */
    public <R extends Response<?>> R send(String action, Request<?, R> request) {
        R response;
        try {
            response = request.send();
        } catch (IOException e) {
            throw new RpcUnavailableException(service.url(), 1, e.getMessage(), e);
        }
        if (response.hasError()) {
            throw toException(action, request.getMethod(), response.getError(), null);
        }
        return response;
    }

    /** {@code eth_call} against the latest block; returns the raw hex result. */
    public String call(String action, String from, String to, String data) {
        return call(action, from, to, data, DefaultBlockParameterName.LATEST);
    }

    public String call(String action, String from, String to, String data, DefaultBlockParameter block) {
        EthCall result = send(action, web3j.ethCall(Transaction.createEthCallTransaction(from, to, data), block));
        return result.getValue();
    }

    /** Latest block number. */
    public BigInteger blockNumber() {
        return send("eth_blockNumber", web3j.ethBlockNumber()).getBlockNumber();
    }

    /** Turns a JSON-RPC error into a revert (decoded) or a plain RPC error. */
    public ChainException toException(String action, String method, Response.Error error, String transactionHash) {
        String revertData = revertData(error);
        String message = error.getMessage() == null ? "" : error.getMessage();
        boolean reverted = error.getCode() == 3 || message.contains("revert") || revertData != null;
        if (!reverted) {
            return new RpcErrorException(method + " (" + action + ")", error.getCode(), message);
        }
        ContractErrors.Decoded decoded = errors.decode(revertData);
        return new ContractRevertedException(action, decoded.name(), decoded.arguments(), revertData, transactionHash);
    }

    private static String revertData(Response.Error error) {
        String data = error.getData();
        if (data == null || data.isBlank()) {
            return null;
        }
        data = data.trim();
        if (data.startsWith("\"")) {
            data = data.substring(1, data.length() - 1);
        }
        if (data.startsWith("0x")) {
            return data;
        }
        if (data.startsWith("{")) {
            try {
                JsonNode node = new ObjectMapper().readTree(data);
                for (String field : List.of("data", "result")) {
                    if (node.path(field).isTextual() && node.path(field).asText().startsWith("0x")) {
                        return node.path(field).asText();
                    }
                }
            } catch (IOException e) {
                return null;
            }
        }
        return null;
    }

    @Override
    public void close() {
        web3j.shutdown();
    }
}
