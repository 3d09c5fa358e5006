package io.gridshare.node.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.gridshare.node.engine.EngineConfig;
import io.gridshare.node.engine.Engines;
import io.gridshare.node.engine.InferenceEngine;
import io.gridshare.node.engine.JobOutcome;
import io.gridshare.node.engine.JobRequest;
import io.gridshare.node.engine.SamplingParams;
import io.gridshare.node.engine.TokenSink;
import io.gridshare.node.model.TestModels;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class EngineMetricsTest {

    @Test
    void metricsShowKvBlocksBatchSizesAndTheQueuePerModel() throws Exception {
        try (InferenceEngine engine = Engines.load(TestModels.stories260K(),
                EngineConfig.defaults(2).withBackend(EngineConfig.Backend.CPU))) {
            CompletableFuture<JobOutcome> done = new CompletableFuture<>();
            engine.submit(JobRequest.of("m", "Once", 5, SamplingParams.greedy()), new TokenSink() {
                @Override
                public void onToken(io.gridshare.node.engine.GeneratedToken token) {}

                @Override
                public void onFinished(JobOutcome outcome) {
                    done.complete(outcome);
                }
            });
            done.get(1, TimeUnit.MINUTES);
            StringBuilder s = new StringBuilder();
            EngineMetrics.write(List.of(engine), s);
            String text = s.toString();
            long steps = engine.steps().steps();
            assertThat(steps).isPositive();
            assertThat(text)
                    .contains("# TYPE gridshare_node_kv_blocks_used gauge")
                    .contains("gridshare_node_kv_blocks_used{model=\"stories260K\"} 0\n")
                    .contains("gridshare_node_kv_blocks_free{model=\"stories260K\"} " + engine.kvCache().totalBlocks() + "\n")
                    .contains("# TYPE gridshare_node_batch_jobs histogram")
                    .contains("gridshare_node_batch_jobs_bucket{model=\"stories260K\",le=\"1\"} " + steps + "\n")
                    .contains("gridshare_node_batch_jobs_bucket{model=\"stories260K\",le=\"+Inf\"} " + steps + "\n")
                    .contains("gridshare_node_batch_jobs_count{model=\"stories260K\"} " + steps + "\n")
                    .contains("gridshare_node_queue_jobs{model=\"stories260K\"} 0\n")
                    .contains("gridshare_node_queue_wait_seconds_count{model=\"stories260K\"} 1\n")
                    .contains("# TYPE gridshare_node_queue_wait_seconds summary");
        }
    }
}
