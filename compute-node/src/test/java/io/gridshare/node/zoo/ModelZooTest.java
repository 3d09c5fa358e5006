package io.gridshare.node.zoo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.gridshare.node.model.gguf.GgufFile;
import io.gridshare.node.model.gguf.GgufModel;
import io.gridshare.node.model.gguf.GgufTokenizer;
import io.gridshare.node.tensor.GgmlType;
import io.gridshare.node.tokenizer.TextTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ModelZooTest {

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0}: the zoo model opens with the family's shape, RoPE, tokenizer and template")
    @EnumSource(ZooFamily.class)
    void zooModelsLoadAsTheirFamily(ZooFamily family) throws Exception {
        ZooModel spec = ZooModel.small(family, GgmlType.Q4_K);
        Path file = ModelZoo.write(spec, tmp.resolve(spec.fileName()));

        try (GgufModel model = GgufModel.open(file, 64)) {
            var c = model.config();
            assertThat(model.params().architecture()).isEqualTo(family.architecture());
            assertThat(new int[] {c.dim(), c.layers(), c.heads(), c.kvHeads(), c.hiddenDim(), c.vocabSize()})
                    .containsExactly(256, 2, 8, spec.kvHeads(), 768, 1024);
            assertThat(c.sharedClassifier()).isEqualTo(family.tiedByDefault());
            assertThat(model.params().ropeTheta()).isEqualTo(family.ropeTheta());
            assertThat(model.params().normEps()).isEqualTo(family.normEps());
            assertThat(model.params().ropeFreqFactors() != null).isEqualTo(family == ZooFamily.LLAMA3);
            assertThat(model.bq(0) != null).isEqualTo(family == ZooFamily.QWEN2);
            assertThat(model.wq(0).type()).isEqualTo(GgmlType.Q4_K);
            assertThat(model.parameters()).isEqualTo(spec.parameters()
                    + (family == ZooFamily.LLAMA3 ? spec.headSize() / 2 : 0));
            var md = model.file().metadata();
            assertThat(md.requireString("tokenizer.chat_template")).isEqualTo(family.chatTemplate());
            assertThat(md.string("tokenizer.ggml.pre").orElse(null)).isEqualTo(family.pre());

            TextTokenizer tok = GgufTokenizer.from(model.file());
            assertThat(tok.vocabSize()).isEqualTo(1024);
            String text = "Hello world, 12345 café";
            assertThat(tok.decodeAll(tok.encode(text, false, false))).isEqualTo(text);
        }
    }

    @Test
    @DisplayName("Llama 3 RoPE factors follow Llama 3.1's scaling: 1 for short wavelengths, 32 for long, smooth between")
    void llama3RopeFactorsFollowTheScalingFormula() {
        float[] f = new RopeFactors(64, 500_000f).factors();

        assertThat(f).hasSize(32);
        assertThat(f[0]).isEqualTo(1f); // wavelength 2π < 8192 / 4
        assertThat(f[31]).isEqualTo(32f); // wavelength far beyond 8192
        for (int j = 1; j < f.length; j++) {
            assertThat(f[j]).isGreaterThanOrEqualTo(f[j - 1]);
        }
        // the pair whose wavelength lies between 2048 and 8192 is interpolated: 1 / ((1 - s) / 32 + s)
        int mid = 0;
        while (f[mid] == 1f) {
            mid++;
        }
        double wavelen = 2 * Math.PI * Math.pow(500_000, 2.0 * mid / 64);
        double s = (8192 / wavelen - 1) / 3;
        assertThat(f[mid]).isStrictlyBetween(1f, 32f);
        assertThat((double) f[mid]).isCloseTo(1 / ((1 - s) / 32 + s), within(1e-4));
    }

    @Test
    @DisplayName("every tensor type stores the same weights: a Q8_0 row is within its rounding of the F32 row")
    void typesQuantizeTheSameWeights() throws Exception {
        ZooModel f32 = ZooModel.small(ZooFamily.LLAMA2_SPM, GgmlType.F32);
        Path a = ModelZoo.write(f32, tmp.resolve("a.gguf"));
        Path b = ModelZoo.write(f32.withType(GgmlType.Q8_0), tmp.resolve("b.gguf"));
        try (GgufModel m32 = GgufModel.open(a, 16); GgufModel m8 = GgufModel.open(b, 16)) {
            float[] x = new float[256], y = new float[256];
            m32.wq(1).dequantizeRow(7, x, 0);
            m8.wq(1).dequantizeRow(7, y, 0);
            for (int i = 0; i < x.length; i++) {
                assertThat(y[i]).isCloseTo(x[i], within(0.01f));
            }
        }
    }

    @Test
    @DisplayName("the file is as large as its tensors: streamed sources write exactly their bytes")
    void streamedTensorsFillTheFile() throws Exception {
        ZooModel spec = ZooModel.small(ZooFamily.QWEN2, GgmlType.Q6_K).withTied(false);
        Path file = ModelZoo.write(spec, tmp.resolve(spec.fileName()));
        try (GgufFile gguf = GgufFile.open(file)) {
            var last = gguf.tensors().stream().max(java.util.Comparator.comparingLong(t -> t.offset())).orElseThrow();
            assertThat(Files.size(file)).isEqualTo(last.offset() + last.byteSize());
            assertThat(gguf.tensor("output.weight")).isPresent();
        }
    }
}
