package io.gridshare.gateway.testnode;

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
public final class TenantCall implements ClientResponseObserver<GenerateClientMessage, GenerateServerMessage> {

    public final List<GenerateServerMessage> received = new CopyOnWriteArrayList<>();
    public final CompletableFuture<Status> ended = new CompletableFuture<>();
    public final CompletableFuture<GenerateServerMessage> accepted = new CompletableFuture<>();
    private final boolean autoRead;
    private volatile ClientCallStreamObserver<GenerateClientMessage> requests;

    private TenantCall(boolean autoRead) {
        this.autoRead = autoRead;
    }

    public static TenantCall start(InferenceGrpc.InferenceStub stub, GenerateRequest request, boolean autoRead) {
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

    public void read(int messages) {
        requests.request(messages);
    }

    public void cancel() {
        requests.cancel("tenant cancels", null);
    }

    public void send(GenerateClientMessage m) {
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

    public Status awaitEnd() throws Exception {
        return ended.get(20, TimeUnit.SECONDS);
    }

    public List<Integer> tokenIds() {
        return received.stream().filter(GenerateServerMessage::hasTokens)
                .flatMap(m -> m.getTokens().getTokenIdsList().stream()).toList();
    }

    public int tokenCount() {
        return tokenIds().size();
    }

    /** Whether every Tokens message starts where the previous ended. */
    public boolean indicesContiguous() {
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

    public GenerateServerMessage last() {
        return received.getLast();
    }
}
