// llama.cpp as the tests' reference, through node-llama-cpp's prebuilt CPU binaries.
//
// A long-running process: one JSON request per line on stdin, one JSON answer per line on stdout
// (failures as {"error": "..."}); every log goes to stderr so stdout carries answers only.
// Requests are served one at a time, in order. The Java side is
// io.gridshare.node.reference.LlamaCppReference (compute-node test scope).
//
//   {"op":"load","model":PATH,"threads":N,"contextSize":N}  -> {"bos":ID,"eos":ID,"contextSize":N}
//   {"op":"tokenize","texts":[...],"special":B,"addBos":B}  -> {"tokens":[[...],...]}
//   {"op":"detokenize","tokens":[...],"special":B}          -> {"text":"..."}
//   {"op":"greedy","tokens":[...],"maxTokens":N}           -> {"tokens":[...]}  (ends with the EOG token if one came)
//   {"op":"teacherForced","tokens":[...],"topK":K}         -> {"positions":[{"ids":[...],"logprobs":[...]},...]}
//   {"op":"bench","promptTokens":N,"generateTokens":M}     -> {"prefillTokensPerSecond":X,"decodeTokensPerSecond":Y,...}
//   {"op":"benchParallel","promptTokens":N,"generateTokens":M,"sequences":S}
//        -> {"aggregateTokensPerSecond":X,"wallSeconds":W,"perSequence":[{"ttftMs":T,"generatedTokens":G,"tokensPerSecond":R},...]}
//   {"op":"chatTemplate"}                                  -> {"template":"..." | null}
import readline from "node:readline";
import {getLlama, LlamaLogLevel} from "node-llama-cpp";

// node-llama-cpp and its dependencies log through console.log/info, which would corrupt the protocol.
console.log = console.error;
console.info = console.error;

const llama = await getLlama({
    gpu: false,
    build: "never",
    usePrebuiltBinaries: true,
    progressLogs: false,
    logLevel: LlamaLogLevel.warn,
    logger: (level, message) => process.stderr.write(`[llama.cpp ${level}] ${message}\n`)
});

let model = null;
let context = null;
let sequence = null;

const ops = {
    async load({model: modelPath, threads, contextSize}) {
        requireNumber("threads", threads);
        requireNumber("contextSize", contextSize);
        await context?.dispose();
        await model?.dispose();
        context = sequence = null;
        model = await llama.loadModel({modelPath, gpuLayers: 0});
        context = await model.createContext({
            contextSize,
            batchSize: contextSize,
            threads,
            sequences: 1,
            flashAttention: false,
            // the default F16 KV cache rounds keys and values, which changes greedy tokens against an F32 engine
            experimentalKvCacheKeyType: "F32",
            experimentalKvCacheValueType: "F32"
        });
        sequence = context.getSequence();
        return {bos: model.tokens.bos, eos: model.tokens.eos, contextSize: context.contextSize};
    },

    tokenize({texts, special = false, addBos = false}) {
        requireModel();
        // node-llama-cpp never lets llama.cpp add BOS (it calls llama_tokenize with add_special=false);
        // prepending it here gives what llama_tokenize(add_special=true) gives for a SentencePiece vocabulary
        const bos = model.tokens.bos;
        if (addBos && bos == null)
            throw new Error("addBos requested but the model has no BOS token");
        return {
            tokens: texts.map((text) => {
                const ids = Array.from(model.tokenize(text, special));
                return addBos ? [bos, ...ids] : ids;
            })
        };
    },

    detokenize({tokens, special = false}) {
        requireModel();
        return {text: model.detokenize(tokens, special)};
    },

    async greedy({tokens, maxTokens}) {
        requireModel();
        requireNumber("maxTokens", maxTokens);
        requireRoom(tokens.length + maxTokens);
        await sequence.clearHistory();
        const out = [];
        if (maxTokens === 0)
            return {tokens: out};
        for await (const token of sequence.evaluate(tokens, {temperature: 0, yieldEogToken: true})) {
            out.push(token);
            if (out.length >= maxTokens || model.isEogToken(token))
                break;
        }
        return {tokens: out};
    },

    async teacherForced({tokens, topK}) {
        requireModel();
        requireNumber("topK", topK);
        requireRoom(tokens.length);
        await sequence.clearHistory();
        // temperature 0 selects llama.cpp's greedy sampler, which leaves the logits untouched, so the
        // probabilities are the plain softmax over the whole vocabulary
        const input = tokens.map((token) => [token, {generateNext: {probabilities: true, options: {temperature: 0}}}]);
        const results = await sequence.controlledEvaluate(input);
        return {
            positions: tokens.map((_, i) => {
                const probabilities = results[i]?.next?.probabilities;
                if (probabilities == null)
                    throw new Error(`llama.cpp returned no probabilities for position ${i}`);
                const ids = [];
                const logprobs = [];
                for (const [id, probability] of probabilities) { // sorted, most likely first
                    if (ids.length >= topK)
                        break;
                    ids.push(id);
                    logprobs.push(Math.log(probability));
                }
                return {ids, logprobs};
            })
        };
    },

    async bench({promptTokens, generateTokens}) {
        requireModel();
        requireNumber("promptTokens", promptTokens);
        requireNumber("generateTokens", generateTokens);
        requireRoom(promptTokens + generateTokens);
        const prompt = benchPrompt(promptTokens + 1);
        await sequence.clearHistory();
        const prefillStart = process.hrtime.bigint();
        await sequence.evaluateWithoutGeneratingNewTokens(prompt.slice(0, promptTokens));
        const prefillSeconds = secondsSince(prefillStart);

        // each decode step evaluates one token (the prompt's next one, then each generated one) and samples
        // the next; EOG is yielded and fed back like any token, so exactly generateTokens steps run
        const decodeStart = process.hrtime.bigint();
        let generated = 0;
        if (generateTokens > 0) {
            for await (const token of sequence.evaluate(prompt.slice(promptTokens), {temperature: 0, yieldEogToken: true})) {
                void token;
                if (++generated >= generateTokens)
                    break;
            }
        }
        const decodeSeconds = secondsSince(decodeStart);
        return {
            promptTokens,
            generatedTokens: generated,
            prefillSeconds,
            decodeSeconds,
            prefillTokensPerSecond: promptTokens / prefillSeconds,
            decodeTokensPerSecond: generated / decodeSeconds
        };
    },

    // S sequences of one fresh context, each with its own prompt, decoded concurrently: every sequence
    // queues its next token and node-llama-cpp dispatches all queued tokens as one llama_decode per step
    // (prompts too, up to the batch size), which is how llama.cpp's server serves parallel requests
    async benchParallel({promptTokens, generateTokens, sequences: count}) {
        requireModel();
        requireNumber("promptTokens", promptTokens);
        requireNumber("generateTokens", generateTokens);
        requireNumber("sequences", count);
        if (promptTokens < 1 || generateTokens < 1 || count < 1)
            throw new Error("benchParallel needs promptTokens, generateTokens and sequences >= 1");
        const perSequenceContext = promptTokens + generateTokens;
        const parallel = await model.createContext({
            contextSize: perSequenceContext,
            batchSize: Math.max(perSequenceContext, 512),
            threads: context.currentThreads,
            sequences: count,
            flashAttention: false,
            experimentalKvCacheKeyType: "F32",
            experimentalKvCacheValueType: "F32"
        });
        try {
            const all = Array.from({length: count}, (_, s) => parallel.getSequence());
            const start = process.hrtime.bigint();
            const results = await Promise.all(all.map(async (seq, s) => {
                const prompt = benchPrompt(promptTokens, s);
                let generated = 0;
                let first = null;
                let last = null;
                for await (const token of seq.evaluate(prompt, {temperature: 0, yieldEogToken: true})) {
                    void token;
                    last = process.hrtime.bigint();
                    first ??= last;
                    if (++generated >= generateTokens)
                        break;
                }
                const decodeSeconds = Number(last - first) / 1e9;
                return {
                    ttftMs: Number(first - start) / 1e6,
                    generatedTokens: generated,
                    tokensPerSecond: generated > 1 && decodeSeconds > 0 ? (generated - 1) / decodeSeconds : 0
                };
            }));
            const wallSeconds = secondsSince(start);
            const total = results.reduce((sum, r) => sum + r.generatedTokens, 0);
            return {
                sequences: count,
                promptTokens,
                generatedTokens: total,
                wallSeconds,
                aggregateTokensPerSecond: total / wallSeconds,
                perSequence: results
            };
        } finally {
            await parallel.dispose();
        }
    },

    chatTemplate() {
        requireModel();
        return {template: model.fileInfo.metadata?.tokenizer?.chat_template ?? null};
    }
};

// BOS, then the story's tokens from `offset` on, repeated: distinct offsets give distinct prompts
function benchPrompt(length, offset = 0) {
    if (length < 2)
        throw new Error("bench needs promptTokens >= 1");
    const story = Array.from(model.tokenize("Once upon a time, there was a little girl who loved to play in the park. "));
    const prompt = model.tokens.bos == null ? [] : [model.tokens.bos];
    while (prompt.length < length)
        prompt.push(story[(prompt.length + offset) % story.length]);
    return prompt;
}

function secondsSince(start) {
    return Number(process.hrtime.bigint() - start) / 1e9;
}

function requireModel() {
    if (sequence == null)
        throw new Error("no model loaded: send {\"op\":\"load\",...} first");
}

function requireNumber(name, value) {
    if (!Number.isInteger(value) || value < 0)
        throw new Error(`${name} must be a non-negative integer, got ${JSON.stringify(value)}`);
}

// node-llama-cpp would silently shift the context (drop early tokens) instead, which is not a reference
function requireRoom(tokens) {
    if (tokens > context.contextSize)
        throw new Error(`${tokens} tokens do not fit the context of ${context.contextSize}: load with a larger contextSize`);
}

const lines = readline.createInterface({input: process.stdin, crlfDelay: Infinity});
for await (const line of lines) {
    if (line.trim() === "")
        continue;
    let answer;
    try {
        const request = JSON.parse(line);
        const op = ops[request.op];
        if (op == null)
            throw new Error(`unknown op ${JSON.stringify(request.op)}; known: ${Object.keys(ops).join(", ")}`);
        answer = await op(request);
    } catch (error) {
        process.stderr.write(`request failed: ${error?.stack ?? error}\n`);
        answer = {error: String(error?.message ?? error)};
    }
    process.stdout.write(JSON.stringify(answer) + "\n");
}
await context?.dispose();
await model?.dispose();
await llama.dispose();
