package io.gridshare.node.engine;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** Records a job's tokens; an optional hook runs on each token (to cancel, block or count). */
final class RecordingSink implements TokenSink {

    final List<GeneratedToken> tokens = new CopyOnWriteArrayList<>();
    final CompletableFuture<JobOutcome> finished = new CompletableFuture<>();
    private final Consumer<GeneratedToken> hook;

    RecordingSink() {
        this(t -> {});
    }

    RecordingSink(Consumer<GeneratedToken> hook) {
        this.hook = hook;
    }

    @Override
    public void onToken(GeneratedToken token) {
        tokens.add(token);
        hook.accept(token);
    }

    @Override
    public void onFinished(JobOutcome outcome) {
        if (!finished.complete(outcome)) {
            throw new AssertionError("onFinished called twice");
        }
    }

    JobOutcome await() throws Exception {
        return finished.get(2, TimeUnit.MINUTES);
    }

    List<Integer> ids() {
        return tokens.stream().map(GeneratedToken::tokenId).toList();
    }

    String text() {
        StringBuilder sb = new StringBuilder();
        tokens.forEach(t -> sb.append(t.text()));
        return sb.toString();
    }
}
