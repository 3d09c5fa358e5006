package io.gridshare.node.reference;

/** llama.cpp's throughput on one prompt: prefill (prompt evaluation) and decode (one token per step). */
public record BenchRates(int promptTokens, int generatedTokens, double prefillTokensPerSecond, double decodeTokensPerSecond) {}
