package io.gridshare.node.zoo;

/**
 * The model families the zoo imitates: their GGUF architecture, tokenizer kind, RoPE and norm
 * constants, trained context and chat template, as the real checkpoints' GGUF files state them.
 */
public enum ZooFamily {

    /** Llama 2 / Mistral / TinyLlama: SentencePiece vocabulary with byte tokens, untied output, RoPE theta 1e4. */
    LLAMA2_SPM("llama", "llama", null, 10_000f, 1e-5f, 4096, false, ChatTemplates.INST),
    /** Llama 3.x: byte-level BPE (llama-bpe), header tokens, theta 5e5 with Llama 3.1 frequency factors, tied, GQA. */
    LLAMA3("llama", "gpt2", "llama-bpe", 500_000f, 1e-5f, 131_072, true, ChatTemplates.LLAMA3),
    /** Qwen2 / 2.5: byte-level BPE (qwen2), ChatML tokens, q/k/v biases, NEOX RoPE theta 1e6, eps 1e-6. */
    QWEN2("qwen2", "gpt2", "qwen2", 1_000_000f, 1e-6f, 32_768, true, ChatTemplates.CHATML),
    /** SmolLM2: Llama architecture with byte-level BPE (smollm pre-tokenizer), ChatML, tied. */
    SMOLLM2("llama", "gpt2", "smollm", 100_000f, 1e-5f, 8192, true, ChatTemplates.CHATML);

    private final String architecture;
    private final String tokenizerModel;
    private final String pre;
    private final float ropeTheta;
    private final float normEps;
    private final int contextLength;
    private final boolean tiedByDefault;
    private final String chatTemplate;

    ZooFamily(String architecture, String tokenizerModel, String pre, float ropeTheta, float normEps,
              int contextLength, boolean tiedByDefault, String chatTemplate) {
        this.architecture = architecture;
        this.tokenizerModel = tokenizerModel;
        this.pre = pre;
        this.ropeTheta = ropeTheta;
        this.normEps = normEps;
        this.contextLength = contextLength;
        this.tiedByDefault = tiedByDefault;
        this.chatTemplate = chatTemplate;
    }

    /** general.architecture. */
    public String architecture() { return architecture; }
    /** tokenizer.ggml.model: "llama" (SentencePiece) or "gpt2" (byte-level BPE). */
    public String tokenizerModel() { return tokenizerModel; }
    /** tokenizer.ggml.pre, or null for SentencePiece. */
    public String pre() { return pre; }
    public float ropeTheta() { return ropeTheta; }
    public float normEps() { return normEps; }
    /** {@code <arch>.context_length}, the trained context. */
    public int contextLength() { return contextLength; }
    /** Whether the real checkpoints of this size class share the embedding as the classifier. */
    public boolean tiedByDefault() { return tiedByDefault; }
    /** tokenizer.chat_template, shaped like the real family's. */
    public String chatTemplate() { return chatTemplate; }
    /** Whether the architecture has q/k/v biases (Qwen2). */
    public boolean attentionBiases() { return architecture.equals("qwen2"); }
    /** Whether the model carries Llama 3.1-style rope_freqs.weight. */
    public boolean llama3RopeScaling() { return this == LLAMA3; }

    /** Chat templates in the real families' shape (Jinja, as GGUF files carry them). */
    static final class ChatTemplates {
        static final String INST = "{{ bos_token }}{% for message in messages %}"
                + "{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}"
                + "{% elif message['role'] == 'assistant' %}{{ message['content'] + eos_token }}{% endif %}{% endfor %}";
        static final String LLAMA3 = "{{- bos_token }}{%- for message in messages %}"
                + "{{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n' + message['content'] | trim"
                + " + '<|eot_id|>' }}{%- endfor %}{%- if add_generation_prompt %}"
                + "{{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{%- endif %}";
        static final String CHATML = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n'"
                + " + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}"
                + "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

        private ChatTemplates() {}
    }
}
