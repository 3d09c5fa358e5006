package io.gridshare.node.link;

import io.gridshare.node.engine.BackendInfo;
import io.gridshare.node.engine.GeneratedToken;
import io.gridshare.node.engine.InferenceEngine;
import io.gridshare.node.engine.Job;
import io.gridshare.node.engine.JobOutcome;
import io.gridshare.node.engine.JobRefusedException;
import io.gridshare.node.engine.JobRequest;
import io.gridshare.node.engine.ModelDescriptor;
import io.gridshare.node.engine.SlotStatus;
import io.gridshare.node.engine.TokenSink;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Wraps a real engine and observes, per job, when the link cancelled it and how many tokens the
 * engine still produced afterwards, so tests can hold the link to "stops within one token".
 */
final class CountingEngine implements InferenceEngine {

    /** What one job did. */
    static final class Observed {
        final AtomicBoolean cancelCalled = new AtomicBoolean();
        final AtomicInteger tokens = new AtomicInteger();
        final AtomicInteger tokensAfterCancel = new AtomicInteger();
    }

    private final InferenceEngine engine;
    final Map<String, Observed> jobs = new ConcurrentHashMap<>();

    CountingEngine(InferenceEngine engine) {
        this.engine = engine;
    }

    @Override
    public ModelDescriptor model() {
        return engine.model();
    }

    @Override
    public BackendInfo backend() {
        return engine.backend();
    }

    @Override
    public SlotStatus slots() {
        return engine.slots();
    }

    @Override
    public Job submit(JobRequest request, TokenSink sink) throws JobRefusedException {
        Observed o = new Observed();
        jobs.put(request.jobId(), o);
        Job job = engine.submit(request, new TokenSink() {
            @Override
            public void onToken(GeneratedToken token) {
                o.tokens.incrementAndGet();
                if (o.cancelCalled.get()) {
                    o.tokensAfterCancel.incrementAndGet();
                }
                sink.onToken(token);
            }

            @Override
            public void onFinished(JobOutcome outcome) {
                sink.onFinished(outcome);
            }
        });
        return new Job() {
            @Override
            public String id() {
                return job.id();
            }

            @Override
            public void cancel() {
                o.cancelCalled.set(true);
                job.cancel();
            }

            @Override
            public CompletableFuture<JobOutcome> completion() {
                return job.completion();
            }
        };
    }

    @Override
    public void close() {
        engine.close();
    }
}
