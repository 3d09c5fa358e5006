package io.gridshare.gateway.grpc;

import io.gridshare.gateway.job.JobCoordinator;
import io.gridshare.gateway.job.TenantJob;
import io.gridshare.gateway.job.TenantSink;
import io.gridshare.gateway.observe.GatewayObserver;
import io.gridshare.gateway.placement.Placement;
import io.gridshare.proto.v1.Amount;
import io.gridshare.proto.v1.GenerateClientMessage;
import io.gridshare.proto.v1.GenerateServerMessage;
import io.gridshare.proto.v1.InferenceGrpc;
import io.gridshare.proto.v1.ListModelsRequest;
import io.gridshare.proto.v1.ListModelsResponse;
import io.gridshare.proto.v1.ModelOffer;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.math.BigInteger;

/**
 * The tenant API over gRPC. Generate reads one message at a time (manual flow control), starts the job
 * on the first, and relays tokens only while the tenant's stream is ready; a cancelled call or an
 * expired deadline cancels the job on its node.
 */
public final class InferenceService extends InferenceGrpc.InferenceImplBase {

    private final JobCoordinator coordinator;
    private final GatewayObserver observer;
    private final BigInteger feePerToken;

    public InferenceService(JobCoordinator coordinator, GatewayObserver observer, BigInteger feePerToken) {
        this.coordinator = coordinator;
        this.observer = observer;
        this.feePerToken = feePerToken;
    }

    @Override
    public StreamObserver<GenerateClientMessage> generate(StreamObserver<GenerateServerMessage> responseObserver) {
        var call = (ServerCallStreamObserver<GenerateServerMessage>) responseObserver;
        call.disableAutoRequest();
        observer.requestReceived("grpc");
        GenerateCall g = new GenerateCall(call);
        call.setOnReadyHandler(g::onReady);
        call.setOnCancelHandler(g::onCancelled);
        call.request(1);
        return g;
    }

    /** One Generate call. gRPC serializes the inbound callbacks and handlers of one call. */
    private final class GenerateCall implements StreamObserver<GenerateClientMessage>, TenantSink {
        private final ServerCallStreamObserver<GenerateServerMessage> call;
        private volatile TenantJob job;
        private volatile boolean closed;

        GenerateCall(ServerCallStreamObserver<GenerateServerMessage> call) {
            this.call = call;
        }

        @Override
        public void onNext(GenerateClientMessage m) {
            switch (m.getMessageCase()) {
                case REQUEST -> {
                    if (job != null) {
                        fail(Status.INVALID_ARGUMENT.withDescription("a Generate call carries one GenerateRequest; "
                                + "start a new call for another job"));
                        return;
                    }
                    JobCoordinator.Result r = coordinator.start(m.getRequest(), this);
                    if (!r.started()) {
                        fail(r.status());
                        return;
                    }
                    job = r.job();
                }
                case VOUCHER -> {
                    if (job == null) {
                        fail(Status.INVALID_ARGUMENT.withDescription("send the GenerateRequest before any Voucher"));
                        return;
                    }
                    job.onVoucher(m.getVoucher());
                }
                case CANCEL -> {
                    if (job != null) {
                        job.cancel("tenant cancelled: " + m.getCancel().getReason(), true);
                    } else {
                        fail(Status.CANCELLED.withDescription("cancelled before the request"));
                    }
                    return;
                }
                default -> {
                    fail(Status.INVALID_ARGUMENT.withDescription("empty GenerateClientMessage; set request, "
                            + "voucher or cancel"));
                    return;
                }
            }
            if (!closed) {
                call.request(1);
            }
        }

        void onReady() {
            TenantJob j = job;
            if (j != null) {
                j.drain();
            }
        }

        void onCancelled() {
            closed = true;
            TenantJob j = job;
            if (j != null) {
                // covers both a tenant's cancel and its deadline passing
                j.cancel("tenant call ended: " + (io.grpc.Context.current().getDeadline() != null
                        && io.grpc.Context.current().getDeadline().isExpired() ? "deadline exceeded" : "cancelled"),
                        false);
            }
        }

        @Override
        public void onError(Throwable t) {
            onCancelled();
        }

        @Override
        public void onCompleted() {
            // half-close: the tenant sends no more vouchers; the job runs on (a free job needs none)
        }

        @Override
        public boolean isReady() {
            return !closed && call.isReady();
        }

        @Override
        public void send(GenerateServerMessage message) {
            if (!closed) {
                call.onNext(message);
            }
        }

        @Override
        public void complete() {
            if (!closed) {
                closed = true;
                call.onCompleted();
            }
        }

        @Override
        public void fail(Status status) {
            if (!closed) {
                closed = true;
                call.onError(status.asRuntimeException());
            }
        }
    }

    @Override
    public void listModels(ListModelsRequest request, StreamObserver<ListModelsResponse> responseObserver) {
        ListModelsResponse.Builder b = ListModelsResponse.newBuilder();
        for (Placement.ModelSummary m : coordinator.placement().models()) {
            b.addModels(ModelOffer.newBuilder().setName(m.name()).setModelHash(m.modelHash())
                    .setFreeSlots(m.freeSlots()).setTotalSlots(m.totalSlots()).setNodes(m.nodes())
                    .setMinPricePerToken(Amount.newBuilder().setBaseUnits(m.minPricePerToken().add(feePerToken).toString()))
                    .setContextLength(m.contextLength()).setArchitecture(m.architecture())
                    .setParameters(m.parameters()).setQuantization(m.quantization()).setChat(m.chat()));
        }
        responseObserver.onNext(b.build());
        responseObserver.onCompleted();
    }
}
