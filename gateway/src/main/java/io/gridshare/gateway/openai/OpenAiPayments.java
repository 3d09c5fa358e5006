package io.gridshare.gateway.openai;

import io.gridshare.chain.ChainSettings;
import io.gridshare.chain.contracts.GridshareContracts;
import io.gridshare.client.DepositSource;
import io.gridshare.gateway.GatewayServices;
import io.gridshare.gateway.cdi.GrpcLifecycle;
import io.gridshare.gateway.job.JobMeter;
import io.gridshare.gateway.payment.PaymentSettings;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.config.Config;

/**
 * Decides how REST jobs run: on a free gateway straight through the job coordinator, on a paid one
 * ({@link JobMeter#payee()} present) as delegated sessions ({@value OpenAiSession#SESSIONS_FILE})
 * that pay through this gateway's own gRPC API. The sessions file is read at startup, so a malformed
 * one stops the gateway with what is wrong; the tenant clients dial the gRPC port on their first job.
 */
@ApplicationScoped
public class OpenAiPayments {

    private static final System.Logger LOG = System.getLogger(OpenAiPayments.class.getName());

    private final Config config;
    private final JobMeter meter;
    private final GrpcLifecycle grpc;
    private final GatewayServices services;
    private PaidRestJobs paid;
    private GridshareContracts contracts;

    @Inject
    public OpenAiPayments(Config config, JobMeter meter, GrpcLifecycle grpc, GatewayServices services) {
        this.config = config;
        this.meter = meter;
        this.grpc = grpc;
        this.services = services;
    }

    void start(@Observes @Priority(200) @Initialized(ApplicationScoped.class) Object event) {
        paid(); // read the sessions file now: a broken one fails the start, not the first request
    }

    /** The paid path, or empty when the gateway serves for free. */
    public synchronized Optional<PaidRestJobs> paid() {
        if (meter.payee().isEmpty()) {
            return Optional.empty();
        }
        if (paid == null) {
            ChainSettings chain = ChainSettings.from(k -> config.getOptionalValue(k, String.class).orElse(null));
            Path settlementDir = PaymentSettings.from(config).settlementDir();
            Map<String, OpenAiSession> sessions = config.getOptionalValue(OpenAiSession.SESSIONS_FILE, String.class)
                    .map(f -> OpenAiSession.load(Path.of(f), chain.deployment().chainId(),
                            chain.deployment().paymentChannels()))
                    .orElse(Map.of());
            LOG.log(System.Logger.Level.INFO, "OpenAI REST on a paid gateway: {0} delegated session(s) from {1}",
                    sessions.size(), OpenAiSession.SESSIONS_FILE);
            contracts = GridshareContracts.readOnly(chain.connect().chain(), chain.deployment());
            String host = services.settings().grpcHost();
            String dial = host == null || host.isBlank() || host.equals("0.0.0.0") || host.equals("::")
                    ? "127.0.0.1" : host;
            paid = new PaidRestJobs(sessions, () -> dial + ":" + grpc.port(), settlementDir.resolve("openai-sessions"),
                    DepositSource.onChain(contracts.paymentChannels()));
        }
        return Optional.of(paid);
    }

    @PreDestroy
    synchronized void close() {
        if (paid != null) {
            paid.close();
        }
        if (contracts != null) {
            contracts.chain().close();
        }
    }
}
