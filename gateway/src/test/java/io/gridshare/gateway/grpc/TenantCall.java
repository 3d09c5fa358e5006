package io.gridshare.gateway.grpc;

import io.gridshare.proto.v1.GenerateClientMessage;
import io.gridshare.proto.v1.GenerateRequest;
import io.gridshare.proto.v1.GenerateServerMessage;
import io.gridshare.proto.v1.InferenceGrpc;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A tenant's Generate call in a test. With {@code autoRead} false it reads one message only when
 * {@link #read(int)} asks (a slow tenant: gRPC flow control holds the rest back).
 */
final class TenantCall implements ClientResponseObserver<GenerateClientMessage, GenerateServerMessage> {

    final List<GenerateServerMessage> received = new CopyOnWriteArrayList<>();
    final CompletableFuture<Status> ended = new CompletableFuture<>();
    final CompletableFuture<GenerateServerMessage> accepted = new CompletableFuture<>();
    private final boolean autoRead;
    private volatile ClientCallStreamObserver<GenerateClientMessage> requests;

    private TenantCall(boolean autoRead) {
        this.autoRead = autoRead;
    }

    static TenantCall start(InferenceGrpc.InferenceStub stub, GenerateRequest request, boolean autoRead) {
        TenantCall c = new TenantCall(autoRead);
        stub.generate(c);
        c.requests.onNext(GenerateClientMessage.newBuilder().setRequest(request).build());
        return c;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<GenerateClientMessage> requestStream) {
        requests = requestStream;
        if (!autoRead) {
            requestStream.disableAutoRequestWithInitial(1);
        }
    }

    void read(int messages) {
        requests.request(messages);
    }

    void cancel() {
        requests.cancel("tenant cancels", null);
    }

    void send(GenerateClientMessage m) {
        requests.onNext(m);
    }

    @Override
    public void onNext(GenerateServerMessage m) {
        received.add(m);
        if (m.hasAccepted()) {
            accepted.complete(m);
        }
    }

    @Override
    public void onError(Throwable t) {
        ended.complete(Status.fromThrowable(t));
        accepted.completeExceptionally(t);
    }

    @Override
    public void onCompleted() {
        ended.complete(Status.OK);
    }

    Status awaitEnd() throws Exception {
        return ended.get(20, TimeUnit.SECONDS);
    }

    List<Integer> tokenIds() {
        return received.stream().filter(GenerateServerMessage::hasTokens)
                .flatMap(m -> m.getTokens().getTokenIdsList().stream()).toList();
    }

    int tokenCount() {
        return tokenIds().size();
    }

    /** Whether every Tokens message starts where the previous ended. */
    boolean indicesContiguous() {
        int next = 0;
        for (GenerateServerMessage m : received) {
            if (m.hasTokens()) {
                if (m.getTokens().getIndex() != next) {
                    return false;
                }
                next += m.getTokens().getTokenIdsCount();
            }
        }
        return true;
    }

    GenerateServerMessage last() {
        return received.getLast();
    }
}
