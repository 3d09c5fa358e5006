package io.gridshare.gateway.bench;

import io.gridshare.gateway.GatewayServices;
import io.gridshare.gateway.config.GatewaySettings;
import io.gridshare.gateway.grpc.GrpcServer;
import io.gridshare.gateway.job.CountingJobMeter;
import io.gridshare.gateway.link.InMemoryNodeStakeCheck;
import io.gridshare.gateway.observe.GatewayObserver;
import io.gridshare.gateway.placement.InMemoryPlacement;
import io.gridshare.gateway.testnode.ArithmeticTestNode;
import io.gridshare.proto.v1.GenerateClientMessage;
import io.gridshare.proto.v1.GenerateRequest;
import io.gridshare.proto.v1.GenerateServerMessage;
import io.gridshare.proto.v1.InferenceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Keys;

/**
 * The gateway's added latency per token and time to first token at a given number of concurrent
 * streams, over real gRPC on loopback: nodes (which produce a token every {@code paceMillis}, the
 * "engine") dial a gateway on 127.0.0.1; tenants stream through it. Added latency = the tenant's
 * inter-token gap minus the node's own gap between producing two tokens, at the same percentile.
 *
 * <p>Run: {@code ./mvnw -B -ntp -pl gateway -am test-compile} then
 * {@code java -cp "$(cat gateway/target/bench.cp):gateway/target/classes:gateway/target/test-classes"
 * io.gridshare.gateway.bench.GatewayLatencyBenchmark 100 50 10} (streams, tokens per stream, pace ms).
 */
public final class GatewayLatencyBenchmark {

    public static void main(String[] args) throws Exception {
        int streams = Integer.parseInt(args.length > 0 ? args[0] : "100");
        int tokens = Integer.parseInt(args.length > 1 ? args[1] : "50");
        long paceMillis = Long.parseLong(args.length > 2 ? args[2] : "10");
        int nodes = Math.max(1, Math.min(10, streams));
        int slotsPerNode = (streams + nodes - 1) / nodes;

        InMemoryNodeStakeCheck stakes = new InMemoryNodeStakeCheck(BigInteger.ONE);
        GatewaySettings settings = GatewaySettings.defaults();
        GatewayServices services = new GatewayServices(settings, new InMemoryPlacement("bench"), stakes,
                new CountingJobMeter(), GatewayObserver.NOOP, GatewayServices.STANDALONE);
        GrpcServer server = new GrpcServer("127.0.0.1", 0, 1 << 20, services.grpcServices()).start();
        ManagedChannel nodeChannel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
        ManagedChannel tenantChannel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext()
                .build();
        List<ArithmeticTestNode> linked = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            ECKeyPair key = Keys.createEcKeyPair();
            stakes.stake("0x" + Keys.getAddress(key.getPublicKey()), BigInteger.ONE);
            ArithmeticTestNode n = new ArithmeticTestNode(nodeChannel, key, 1, slotsPerNode, paceMillis, true).connect();
            if (!n.verdict().hasWelcome()) {
                throw new IllegalStateException("benchmark node not welcomed: " + n.verdict());
            }
            linked.add(n);
        }

        ConcurrentLinkedQueue<Long> ttft = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Long> gaps = new ConcurrentLinkedQueue<>();
        AtomicInteger failed = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(streams);
        InferenceGrpc.InferenceStub stub = InferenceGrpc.newStub(tenantChannel);
        long start = System.nanoTime();
        for (int s = 0; s < streams; s++) {
            long requested = System.nanoTime();
            long[] last = {0};
            StreamObserver<GenerateClientMessage> req = stub.generate(new StreamObserver<>() {
                @Override
                public void onNext(GenerateServerMessage m) {
                    if (!m.hasTokens()) {
                        return;
                    }
                    long now = System.nanoTime();
                    int n = m.getTokens().getTokenIdsCount();
                    if (last[0] == 0) {
                        ttft.add(now - requested);
                    } else {
                        for (int i = 0; i < n; i++) {
                            gaps.add((now - last[0]) / n);
                        }
                    }
                    last[0] = now;
                }

                @Override
                public void onError(Throwable t) {
                    failed.incrementAndGet();
                    done.countDown();
                }

                @Override
                public void onCompleted() {
                    done.countDown();
                }
            });
            req.onNext(GenerateClientMessage.newBuilder().setRequest(GenerateRequest.newBuilder()
                    .setModel(ArithmeticTestNode.MODEL_NAME).setPrompt("stream " + s).setMaxTokens(tokens).setSeed(s))
                    .build());
        }
        if (!done.await(10, TimeUnit.MINUTES)) {
            throw new IllegalStateException("benchmark streams did not finish in 10 minutes");
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        List<Long> produced = new ArrayList<>();
        linked.forEach(n -> produced.addAll(n.producedGapsNanos()));

        long[] t = sorted(ttft);
        long[] g = sorted(gaps);
        long[] e = sorted(produced);
        System.out.printf("streams=%d tokens/stream=%d pace=%dms nodes=%d failed=%d wall=%.1fs%n", streams, tokens,
                paceMillis, nodes, failed.get(), seconds);
        System.out.printf("ttft_ms p50=%.2f p99=%.2f%n", ms(pct(t, 50)), ms(pct(t, 99)));
        System.out.printf("inter_token_ms tenant p50=%.3f p99=%.3f | node p50=%.3f p99=%.3f | added p50=%.3f p99=%.3f%n",
                ms(pct(g, 50)), ms(pct(g, 99)), ms(pct(e, 50)), ms(pct(e, 99)),
                ms(pct(g, 50) - pct(e, 50)), ms(pct(g, 99) - pct(e, 99)));

        linked.forEach(ArithmeticTestNode::close);
        tenantChannel.shutdownNow();
        nodeChannel.shutdownNow();
        server.close();
        services.close();
        System.exit(0);
    }

    private static long[] sorted(java.util.Collection<Long> values) {
        long[] a = values.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(a);
        return a;
    }

    private static long pct(long[] sorted, int p) {
        return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}
