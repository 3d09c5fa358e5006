package io.gridshare.node.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gridshare.node.model.TestModels;
import io.gridshare.node.model.gguf.Llama2cToGguf;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The llama.cpp reference harness proves itself on stories260K converted to GGUF: it must reproduce
 * llama2.c's run.c output, which the project's own engine is also held to.
 */
class LlamaCppReferenceTest {

    private static final int STEPS = 256;

    @TempDir
    static Path tmp;

    private static LlamaCppReference llama;
    private static int[] greedyFromBos;

    @BeforeAll
    static void startLlamaCpp() throws Exception {
        Path gguf = Llama2cToGguf.convert(tmp.resolve("stories260K-f32.gguf"));
        // one thread: llama.cpp's threads spin at every op's barrier, which on a shared, oversubscribed
        // CI machine made 256 tokens of this tiny model take minutes instead of seconds
        llama = LlamaCppReference.start(gguf, 1, 512);
        greedyFromBos = llama.greedy(new int[] {llama.bos()}, STEPS);
    }

    @AfterAll
    static void stopLlamaCpp() {
        if (llama != null) {
            llama.close();
        }
    }

    @Test
    @DisplayName("greedy from BOS for 256 tokens detokenizes to exactly run.c's reference output")
    void greedyFromBosReproducesTheRunCReference() throws Exception {
        String reference = Files.readString(TestModels.referenceGreedy256(), StandardCharsets.UTF_8);

        assertThat(greedyFromBos).hasSize(STEPS).doesNotContain(llama.eos());
        // run.c prints the pieces (the first one without its leading space) and then one newline
        assertThat(llama.detokenize(greedyFromBos) + "\n").isEqualTo(reference);
    }

    @Test
    @DisplayName("teacher-forcing the greedy continuation ranks each next greedy token first")
    void teacherForcedTopOneIsTheGreedyContinuation() {
        int[] generated = greedyFromBos;
        int[] sequence = new int[STEPS];
        sequence[0] = llama.bos();
        System.arraycopy(generated, 0, sequence, 1, STEPS - 1);

        List<TopTokens> positions = llama.teacherForced(sequence, 5);

        assertThat(positions).hasSize(STEPS);
        for (int i = 0; i < STEPS; i++) {
            TopTokens top = positions.get(i);
            assertThat(top.top()).as("argmax after %d tokens", i + 1).isEqualTo(generated[i]);
            assertThat(top.ids()).hasSize(5).doesNotHaveDuplicates();
            float[] logprobs = top.logprobs();
            assertThat(logprobs[0]).isLessThanOrEqualTo(0f).isGreaterThan(-30f);
            for (int k = 1; k < logprobs.length; k++) {
                assertThat(logprobs[k]).as("rank %d after %d tokens", k, i + 1).isLessThanOrEqualTo(logprobs[k - 1]);
            }
        }
    }

    @Test
    @DisplayName("tokenize then detokenize gives back the text, with or without BOS")
    void tokenizeDetokenizeRoundTrips() {
        List<String> texts = List.of(
                "Once upon a time, there was a little girl named Lily.",
                "Lily's mom said, \"Don't worry.\"\nThey played in the park.",
                "A café for the dragon: naïve, 42%!");

        List<int[]> plain = llama.tokenize(texts, false, false);
        List<int[]> withBos = llama.tokenize(texts, false, true);

        for (int i = 0; i < texts.size(); i++) {
            assertThat(plain.get(i)).isNotEmpty().doesNotContain(llama.bos());
            assertThat(llama.detokenize(plain.get(i))).isEqualTo(texts.get(i));
            assertThat(withBos.get(i)[0]).isEqualTo(llama.bos());
            assertThat(Arrays.copyOfRange(withBos.get(i), 1, withBos.get(i).length)).isEqualTo(plain.get(i));
        }
    }

    @Test
    @DisplayName("special=true parses <s> as the BOS token, special=false as its characters")
    void specialTokenParsingIsControlled() {
        int[] parsed = llama.tokenize(List.of("<s>"), true, false).getFirst();
        int[] literal = llama.tokenize(List.of("<s>"), false, false).getFirst();

        assertThat(parsed).containsExactly(llama.bos());
        assertThat(literal).doesNotContain(llama.bos()).hasSizeGreaterThan(1);
        assertThat(llama.detokenize(parsed, true)).isEqualTo("<s>");
        assertThat(llama.detokenize(parsed, false)).isEmpty();
    }

    @Test
    @DisplayName("bench reports prefill and decode rates for the requested token counts")
    void benchMeasuresPrefillAndDecode() {
        BenchRates rates = llama.bench(64, 16);

        assertThat(rates.promptTokens()).isEqualTo(64);
        assertThat(rates.generatedTokens()).isEqualTo(16);
        assertThat(rates.prefillTokensPerSecond()).isPositive();
        assertThat(rates.decodeTokensPerSecond()).isPositive();
    }

    @Test
    @DisplayName("benchParallel decodes four sequences together and times each of them")
    void benchParallelDecodesSequencesTogether() {
        ParallelBenchRates rates = llama.benchParallel(16, 16, 4);

        assertThat(rates.sequences()).isEqualTo(4);
        assertThat(rates.promptTokens()).isEqualTo(16);
        assertThat(rates.perSequence()).hasSize(4).allSatisfy(s -> {
            assertThat(s.generatedTokens()).isEqualTo(16);
            assertThat(s.ttftMillis()).isPositive().isLessThan(rates.wallSeconds() * 1e3);
            assertThat(s.tokensPerSecond()).isPositive();
        });
        assertThat(rates.generatedTokens()).isEqualTo(64);
        assertThat(rates.aggregateTokensPerSecond()).isCloseTo(64 / rates.wallSeconds(), org.assertj.core.data.Offset.offset(1e-6));
        // the main context still serves after the parallel one is gone
        assertThat(llama.greedy(new int[] {llama.bos()}, 3)).containsExactly(Arrays.copyOf(greedyFromBos, 3));
    }

    @Test
    @DisplayName("a request that cannot fit the context fails with a clear message and the process keeps serving")
    void anOversizedRequestFailsAndTheProcessSurvives() {
        assertThatThrownBy(() -> llama.greedy(new int[] {llama.bos()}, 1000))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("1001 tokens do not fit the context of 512");

        assertThat(llama.greedy(new int[] {llama.bos()}, 3)).hasSize(3);
    }
}
