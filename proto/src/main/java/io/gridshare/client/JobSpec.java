package io.gridshare.client;

import io.gridshare.proto.v1.Amount;
import io.gridshare.proto.v1.GenerateRequest;
import java.math.BigInteger;
import java.util.Objects;

/**
 * One job: what to generate and what the tenant pays from.
 *
 * @param model model name (e.g. "stories260K") or its sha256 model hash
 * @param prompt the prompt
 * @param maxTokens tokens to generate, 0 = until the end of the context
 * @param temperature 0 = greedy
 * @param topP 0 or 1 = no nucleus cut-off
 * @param seed sampling seed, null = the gateway picks one
 * @param maxPricePerToken the most the tenant pays per token (base units), null = any
 * @param channel the channel that pays, null = free (only gateways that serve for free accept it)
 */
public record JobSpec(String model, String prompt, int maxTokens, float temperature, float topP, Long seed,
                      BigInteger maxPricePerToken, ChannelKey channel) {

    public JobSpec {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(prompt, "prompt");
        if (maxTokens < 0) {
            throw new IllegalArgumentException("maxTokens must be >= 0, was " + maxTokens);
        }
    }

    public static Builder builder(String model, String prompt) {
        return new Builder(model, prompt);
    }

    GenerateRequest toProto() {
        GenerateRequest.Builder b = GenerateRequest.newBuilder().setModel(model).setPrompt(prompt)
                .setMaxTokens(maxTokens).setTemperature(temperature).setTopP(topP);
        if (seed != null) {
            b.setSeed(seed);
        }
        if (maxPricePerToken != null) {
            b.setMaxPricePerToken(Amount.newBuilder().setBaseUnits(maxPricePerToken.toString()));
        }
        if (channel != null) {
            b.setChannel(channel.toProto());
        }
        return b.build();
    }

    /** Builds a {@link JobSpec}; defaults: 64 tokens, greedy, no seed, any price, no channel. */
    public static final class Builder {
        private final String model;
        private final String prompt;
        private int maxTokens = 64;
        private float temperature;
        private float topP;
        private Long seed;
        private BigInteger maxPricePerToken;
        private ChannelKey channel;

        private Builder(String model, String prompt) {
            this.model = model;
            this.prompt = prompt;
        }

        public Builder maxTokens(int value) {
            this.maxTokens = value;
            return this;
        }

        public Builder temperature(float value) {
            this.temperature = value;
            return this;
        }

        public Builder topP(float value) {
            this.topP = value;
            return this;
        }

        public Builder seed(Long value) {
            this.seed = value;
            return this;
        }

        public Builder maxPricePerToken(BigInteger value) {
            this.maxPricePerToken = value;
            return this;
        }

        public Builder channel(ChannelKey value) {
            this.channel = value;
            return this;
        }

        public JobSpec build() {
            return new JobSpec(model, prompt, maxTokens, temperature, topP, seed, maxPricePerToken, channel);
        }
    }
}
