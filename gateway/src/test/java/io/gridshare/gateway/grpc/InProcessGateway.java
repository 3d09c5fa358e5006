package io.gridshare.gateway.grpc;

import io.gridshare.gateway.GatewayServices;
import io.gridshare.gateway.config.GatewaySettings;
import io.gridshare.gateway.job.CountingJobMeter;
import io.gridshare.gateway.link.InMemoryNodeStakeCheck;
import io.gridshare.gateway.observe.GatewayObserver;
import io.gridshare.gateway.placement.InMemoryPlacement;
import io.gridshare.gateway.testnode.ArithmeticTestNode;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Keys;

/** One gateway's gRPC services on an in-process transport, with nodes that dial it. */
final class InProcessGateway implements AutoCloseable {

    static final BigInteger MIN_STAKE = BigInteger.valueOf(1_000);

    final GatewaySettings settings;
    final InMemoryNodeStakeCheck stakes = new InMemoryNodeStakeCheck(MIN_STAKE);
    final CountingJobMeter meter = new CountingJobMeter();
    final GatewayServices services;
    final Server server;
    final ManagedChannel channel;
    private final List<ArithmeticTestNode> nodes = new ArrayList<>();

    InProcessGateway(GatewaySettings settings, GatewayObserver observer) throws IOException {
        this.settings = settings;
        this.services = new GatewayServices(settings, new InMemoryPlacement("member-1"), stakes, meter, observer,
                GatewayServices.STANDALONE);
        String name = InProcessServerBuilder.generateName();
        InProcessServerBuilder b = InProcessServerBuilder.forName(name)
                .maxInboundMessageSize(settings.maxInboundMessageBytes());
        services.grpcServices().forEach(b::addService);
        server = b.build().start();
        channel = InProcessChannelBuilder.forName(name).build();
    }

    InProcessGateway(GatewaySettings settings) throws IOException {
        this(settings, GatewayObserver.NOOP);
    }

    /** A staked node that has been welcomed. */
    ArithmeticTestNode linkedNode(long price, int slots, long tokenDelayMillis) throws Exception {
        ArithmeticTestNode n = node(price, slots, tokenDelayMillis, true, MIN_STAKE);
        if (!n.verdict().hasWelcome()) {
            throw new AssertionError("node was not welcomed: " + n.verdict());
        }
        return n;
    }

    ArithmeticTestNode node(long price, int slots, long tokenDelayMillis, boolean signCorrectly, BigInteger stake)
            throws Exception {
        ECKeyPair key = Keys.createEcKeyPair();
        if (stake != null) {
            stakes.stake("0x" + Keys.getAddress(key.getPublicKey()), stake);
        }
        ArithmeticTestNode n = new ArithmeticTestNode(channel, key, price, slots, tokenDelayMillis, signCorrectly);
        nodes.add(n);
        return n.connect();
    }

    @Override
    public void close() throws InterruptedException {
        nodes.forEach(ArithmeticTestNode::close);
        services.close();
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
}
