package io.gridshare.node.health;

import io.gridshare.node.engine.InferenceEngine;
import io.gridshare.node.engine.KvCacheStatus;
import io.gridshare.node.engine.QueueStatus;
import io.gridshare.node.engine.StepStats;
import java.util.Collection;
import java.util.Locale;

/**
 * The engines' series in Prometheus text format, labelled by model: KV cache blocks used and free,
 * the batch-size histogram of the step loop (jobs per step), and the admission queue (jobs waiting,
 * time from submission to admission).
 */
final class EngineMetrics {

    private EngineMetrics() {}

    /** Appends the series of {@code engines} to {@code s}. */
    static void write(Collection<InferenceEngine> engines, StringBuilder s) {
        help(s, "gridshare_node_kv_blocks_used", "gauge", "KV cache blocks held by jobs, per model.");
        for (InferenceEngine e : engines) {
            s.append("gridshare_node_kv_blocks_used{model=\"").append(model(e)).append("\"} ")
                    .append(e.kvCache().usedBlocks()).append('\n');
        }
        help(s, "gridshare_node_kv_blocks_free", "gauge", "KV cache blocks no job holds, per model.");
        for (InferenceEngine e : engines) {
            s.append("gridshare_node_kv_blocks_free{model=\"").append(model(e)).append("\"} ")
                    .append(e.kvCache().freeBlocks()).append('\n');
        }
        help(s, "gridshare_node_kv_block_positions", "gauge", "Positions (tokens) one KV cache block holds, per model.");
        for (InferenceEngine e : engines) {
            KvCacheStatus kv = e.kvCache();
            s.append("gridshare_node_kv_block_positions{model=\"").append(model(e)).append("\"} ")
                    .append(kv.blockPositions()).append('\n');
        }
        help(s, "gridshare_node_batch_jobs", "histogram", "Jobs advanced together per engine step, per model.");
        for (InferenceEngine e : engines) {
            StepStats steps = e.steps();
            if (steps == null) {
                continue;
            }
            String m = model(e);
            long cumulative = 0;
            for (int b = 0; b < StepStats.BATCH_BUCKETS.length; b++) {
                cumulative += steps.stepsInBucket(b);
                s.append("gridshare_node_batch_jobs_bucket{model=\"").append(m).append("\",le=\"")
                        .append(StepStats.BATCH_BUCKETS[b]).append("\"} ").append(cumulative).append('\n');
            }
            cumulative += steps.stepsInBucket(StepStats.BATCH_BUCKETS.length);
            s.append("gridshare_node_batch_jobs_bucket{model=\"").append(m).append("\",le=\"+Inf\"} ")
                    .append(cumulative).append('\n');
            s.append("gridshare_node_batch_jobs_sum{model=\"").append(m).append("\"} ").append(steps.jobs()).append('\n');
            s.append("gridshare_node_batch_jobs_count{model=\"").append(m).append("\"} ").append(cumulative).append('\n');
        }
        help(s, "gridshare_node_queue_jobs", "gauge", "Jobs waiting for KV blocks or a slot, per model.");
        for (InferenceEngine e : engines) {
            s.append("gridshare_node_queue_jobs{model=\"").append(model(e)).append("\"} ")
                    .append(e.queue().queued()).append('\n');
        }
        help(s, "gridshare_node_queue_wait_seconds", "summary", "Time from submission to admission, per model.");
        for (InferenceEngine e : engines) {
            QueueStatus q = e.queue();
            String m = model(e);
            s.append("gridshare_node_queue_wait_seconds_sum{model=\"").append(m).append("\"} ")
                    .append(String.format(Locale.ROOT, "%.6f", q.waitNanos() / 1e9)).append('\n');
            s.append("gridshare_node_queue_wait_seconds_count{model=\"").append(m).append("\"} ")
                    .append(q.admitted()).append('\n');
        }
    }

    private static String model(InferenceEngine e) {
        return e.model().name().replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private static void help(StringBuilder s, String name, String type, String help) {
        s.append("# HELP ").append(name).append(' ').append(help).append('\n')
                .append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }
}
