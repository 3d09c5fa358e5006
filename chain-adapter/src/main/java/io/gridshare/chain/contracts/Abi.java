package io.gridshare.chain.contracts;

import io.gridshare.chain.ChainConnection;
import io.gridshare.chain.ChainException;
import io.gridshare.chain.tx.TransactionSender;
import java.util.List;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.FunctionReturnDecoder;
import org.web3j.abi.TypeReference;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.Type;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/** Encoding, calling and sending of contract functions, shared by the typed clients. */
final class Abi {
    private Abi() {
    }

    static Function fn(String name, List<Type> inputs, List<TypeReference<?>> outputs) {
        return new Function(name, inputs, outputs);
    }

    @SuppressWarnings({"rawtypes", "unchecked"})
    static List<Type> call(ChainConnection chain, String contractName, String address, Function function) {
        String action = contractName + "." + function.getName();
        String result = chain.call(action, null, address, FunctionEncoder.encode(function));
        if (result == null || result.equals("0x")) {
            throw new ChainException(action + " returned no data: is " + address + " really a " + contractName
                    + " contract on chain " + chain.chainId() + " (" + chain.rpcUrl() + ")?");
        }
        return FunctionReturnDecoder.decode(result, (List) function.getOutputParameters());
    }

    static TransactionReceipt send(TransactionSender sender, String contractName, String address, Function function) {
        if (sender == null) {
            throw new IllegalStateException(contractName + "." + function.getName()
                    + " needs a signing account: obtain the client from GridshareContracts.as(credentials)");
        }
        return sender.send(contractName + "." + function.getName(), address, FunctionEncoder.encode(function));
    }
}
