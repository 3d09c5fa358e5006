package io.gridshare.node.reference;

import static org.assertj.core.api.Assertions.assertThat;

import io.gridshare.node.engine.EngineConfig;
import io.gridshare.node.engine.Engines;
import io.gridshare.node.engine.FinishReason;
import io.gridshare.node.engine.GeneratedToken;
import io.gridshare.node.engine.InferenceEngine;
import io.gridshare.node.engine.JobOutcome;
import io.gridshare.node.engine.JobRequest;
import io.gridshare.node.engine.SamplingParams;
import io.gridshare.node.engine.TokenSink;
import io.gridshare.node.model.gguf.GgufFile;
import io.gridshare.node.model.gguf.GgufTokenizer;
import io.gridshare.node.tensor.GgmlType;
import io.gridshare.node.tokenizer.TextTokenizer;
import io.gridshare.node.zoo.ModelZoo;
import io.gridshare.node.zoo.ZooFamily;
import io.gridshare.node.zoo.ZooModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The project's engine and CPU forward pass agree with llama.cpp on random-weight zoo models of
 * every family: greedy generation token for token at F32, and teacher-forced top-1 over the same
 * sequences for every tensor type, where only near-ties may differ (llama.cpp quantizes activations
 * to 8 bits, or to F16/BF16, for its matrix products; this engine keeps them in float32).
 */
class LlamaCppAgreementTest {

    static final List<String> PROMPTS = List.of("The quick brown fox jumps over the lazy dog.",
            "Once upon a time, in London, there was a model", "你好世界 and 42 cafés in Zürich!");
    static final int GENERATE = 40;
    static final int CONTEXT = 128;
    /** Pooled top-1 agreement each tensor type must reach. */
    static final double MIN_AGREEMENT = 0.995;
    /** A disagreement is a near-tie when llama.cpp's two best tokens are within this many nats. */
    static final double TIE_NATS = 0.1;

    @TempDir
    static Path tmp;

    static LlamaCppReference llama;

    @BeforeAll
    static void startLlamaCpp() throws Exception {
        llama = LlamaCppReference.start(zooFile(ZooModel.small(ZooFamily.LLAMA2_SPM, GgmlType.F32)), 1, CONTEXT);
    }

    @AfterAll
    static void stopLlamaCpp() {
        if (llama != null) {
            llama.close();
        }
    }

    static Path zooFile(ZooModel model) throws Exception {
        return ModelZoo.writeInto(model, tmp);
    }

    static TextTokenizer tokenizer(Path gguf) throws Exception {
        try (GgufFile file = GgufFile.open(gguf)) {
            return GgufTokenizer.from(file);
        }
    }

    @ParameterizedTest(name = "{0} at F32: the engine's greedy tokens are llama.cpp's")
    @EnumSource(ZooFamily.class)
    void greedyGenerationMatchesLlamaCpp(ZooFamily family) throws Exception {
        Path gguf = zooFile(ZooModel.small(family, GgmlType.F32));
        llama.load(gguf, CONTEXT);
        TextTokenizer tok = tokenizer(gguf);
        EngineConfig config = EngineConfig.defaults(1).withBackend(EngineConfig.Backend.CPU).withCpuThreads(1)
                .withContextLength(CONTEXT);
        try (InferenceEngine engine = Engines.load(gguf, config)) {
            for (String prompt : PROMPTS) {
                int[] promptTokens = tok.encode(prompt, true, false);
                int[] expected = llama.greedy(promptTokens, GENERATE);
                Collected ours = Collected.run(engine, prompt, GENERATE);

                String what = family + " prompt '" + prompt + "'";
                List<Integer> ids = ours.ids();
                assertThat(expected.length).as(what + ": llama.cpp generated").isGreaterThanOrEqualTo(ids.size());
                assertThat(ids).as(what + ": llama.cpp's greedy is " + Arrays.toString(expected))
                        .containsExactlyElementsOf(Arrays.stream(expected).limit(ids.size()).boxed().toList());
                if (ours.outcome().reason() == FinishReason.STOP) {
                    int stop = expected[ids.size()];
                    assertThat(tok.endOfGeneration().contains(stop) || stop == tok.bos())
                            .as(what + ": the engine stopped where llama.cpp produced " + stop).isTrue();
                } else {
                    assertThat(ids).as(what).hasSize(GENERATE);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}: teacher-forced top-1 agrees with llama.cpp on >= 99.5% of positions")
    @EnumSource(value = GgmlType.class)
    void teacherForcedTopOneAgrees(GgmlType type) throws Exception {
        int positions = 0, agreed = 0;
        double worstTieGap = 0;
        List<String> disagreements = new ArrayList<>();
        StringBuilder perFamily = new StringBuilder();
        for (ZooFamily family : ZooFamily.values()) {
            Path gguf = zooFile(ZooModel.small(family, type));
            llama.load(gguf, CONTEXT);
            TextTokenizer tok = tokenizer(gguf);
            int familyAgreed = 0, familyPositions = 0;
            for (String prompt : PROMPTS) {
                int[] promptTokens = tok.encode(prompt, true, false);
                int[] continuation = llama.greedy(promptTokens, GENERATE);
                int[] sequence = concat(promptTokens, continuation);
                List<TopTokens> theirs = llama.teacherForced(sequence, 2);
                List<TopTokens> ours = CpuTeacherForcing.run(gguf, sequence, 2);
                for (int i = 0; i < sequence.length; i++) {
                    TopTokens t = theirs.get(i), o = ours.get(i);
                    familyPositions++;
                    if (t.top() == o.top()) {
                        familyAgreed++;
                    } else {
                        double gap = t.logprobs()[0] - t.logprobs()[1];
                        worstTieGap = Math.max(worstTieGap, gap);
                        disagreements.add(String.format(Locale.ROOT, "%s '%s' position %d: llama.cpp %s, ours %s",
                                family, prompt, i, t, o));
                    }
                }
            }
            positions += familyPositions;
            agreed += familyAgreed;
            perFamily.append(String.format(Locale.ROOT, " %s %d/%d", family, familyAgreed, familyPositions));
        }
        double agreement = agreed / (double) positions;
        String report = String.format(Locale.ROOT, "%s: top-1 agreement %.2f%% (%d/%d;%s), worst llama.cpp top-2 gap"
                + " where they differ %.4f nats; differences: %s", type, 100 * agreement, agreed, positions, perFamily,
                worstTieGap, disagreements);
        System.out.println(report);
        assertThat(agreement).as(report).isGreaterThanOrEqualTo(MIN_AGREEMENT);
        assertThat(worstTieGap).as(report).isLessThanOrEqualTo(TIE_NATS);
    }

    @ParameterizedTest(name = "{0}: the quantized kernels agree with llama.cpp running the same weights dequantized to F32")
    @EnumSource(value = GgmlType.class, names = {"F16", "BF16", "Q8_0", "Q4_0", "Q4_K", "Q5_K", "Q6_K"})
    void quantizedKernelsAgreeWithLlamaCppOnTheDequantizedWeights(GgmlType type) throws Exception {
        int positions = 0, agreed = 0, llamaSelf = 0;
        double worstLogprobDiff = 0;
        List<String> disagreements = new ArrayList<>();
        for (ZooFamily family : ZooFamily.values()) {
            ZooModel spec = ZooModel.small(family, type);
            Path quantized = zooFile(spec);
            Path dequantized = ModelZoo.writeDequantized(spec, tmp.resolve("dequantized-" + spec.fileName()));
            TextTokenizer tok = tokenizer(quantized);
            for (String prompt : PROMPTS) {
                int[] promptTokens = tok.encode(prompt, true, false);
                llama.load(quantized, CONTEXT);
                int[] sequence = concat(promptTokens, llama.greedy(promptTokens, GENERATE));
                List<TopTokens> llamaQuantized = llama.teacherForced(sequence, 2);
                llama.load(dequantized, CONTEXT);
                List<TopTokens> theirs = llama.teacherForced(sequence, 2);
                List<TopTokens> ours = CpuTeacherForcing.run(quantized, sequence, 2);
                for (int i = 0; i < sequence.length; i++) {
                    TopTokens t = theirs.get(i), o = ours.get(i);
                    positions++;
                    llamaSelf += llamaQuantized.get(i).top() == t.top() ? 1 : 0;
                    if (t.top() == o.top()) {
                        agreed++;
                        worstLogprobDiff = Math.max(worstLogprobDiff, Math.abs(t.logprobs()[0] - o.logprobs()[0]));
                    } else {
                        disagreements.add(family + " '" + prompt + "' position " + i + ": llama.cpp " + t + ", ours " + o);
                    }
                }
            }
        }
        String report = String.format(Locale.ROOT, "%s dequantized: top-1 agreement %.2f%% (%d/%d), worst top-1 logprob"
                + " difference %.5f; llama.cpp quantized vs dequantized agree on %d/%d; differences: %s", type,
                100.0 * agreed / positions, agreed, positions, worstLogprobDiff, llamaSelf, positions, disagreements);
        System.out.println(report);
        assertThat(agreed).as(report).isEqualTo(positions);
    }

    static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** A job's tokens and outcome. */
    record Collected(List<Integer> ids, JobOutcome outcome) {

        static Collected run(InferenceEngine engine, String prompt, int maxTokens) throws Exception {
            List<Integer> ids = new ArrayList<>();
            CompletableFuture<JobOutcome> done = new CompletableFuture<>();
            engine.submit(JobRequest.of("agreement", prompt, maxTokens, SamplingParams.greedy()), new TokenSink() {
                @Override
                public void onToken(GeneratedToken token) {
                    ids.add(token.tokenId());
                }

                @Override
                public void onFinished(JobOutcome outcome) {
                    done.complete(outcome);
                }
            });
            JobOutcome outcome = done.get(2, TimeUnit.MINUTES);
            assertThat(outcome.error()).as("job error").isNull();
            return new Collected(List.copyOf(ids), outcome);
        }
    }
}
