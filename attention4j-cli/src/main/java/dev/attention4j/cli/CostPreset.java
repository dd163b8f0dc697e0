package dev.attention4j.cli;

import dev.attention4j.inspect.CostModel;
import dev.attention4j.models.bert.BertConfig;
import dev.attention4j.nn.Activation;
import dev.attention4j.nn.transformer.Seq2SeqConfig;
import dev.attention4j.nn.transformer.TransformerConfig;

/** The shapes {@code attention4j cost --preset} knows. */
enum CostPreset {
    /** The paper's base model, with its 37000-token vocabulary. */
    BASE("the paper's base model: d 512, 8 heads, 6 + 6 layers, ffn 2048"),
    /** The paper's big model. */
    BIG("the paper's big model: d 1024, 16 heads, 6 + 6 layers, ffn 4096"),
    /** {@link TransformerConfig#tiny()}. */
    TINY("a small model for examples: d 64, 4 heads, 2 + 2 layers, ffn 128"),
    /** The built-in embedding model's encoder, from its config.json. */
    MINILM("all-MiniLM-L6-v2 (the built-in encoder): d 384, 12 heads, 6 layers, ffn 1536");

    /** The paper's shared BPE vocabulary (section 5.1). */
    static final int PAPER_VOCAB = 37000;

    private final String description;

    CostPreset(String description) {
        this.description = description;
    }

    String description() {
        return description;
    }

    /** all-MiniLM-L6-v2's config.json (sentence-transformers/all-MiniLM-L6-v2 on Hugging Face). */
    static BertConfig miniLmConfig() {
        return new BertConfig(30522, 384, 6, 12, 1536, Activation.GELU, 512, 2, 1e-12f, 0);
    }

    /** The cost model, with {@code vocab} tokens for the encoder-decoder presets. */
    CostModel costModel(int vocab, int maxLen) {
        return switch (this) {
            case BASE -> CostModel.of(Seq2SeqConfig.of(TransformerConfig.base(), vocab, vocab, maxLen));
            case BIG -> CostModel.of(Seq2SeqConfig.of(TransformerConfig.big(), vocab, vocab, maxLen));
            case TINY -> CostModel.of(Seq2SeqConfig.of(TransformerConfig.tiny(), vocab, vocab, maxLen));
            case MINILM -> bert(miniLmConfig());
        };
    }

    /** A BERT encoder's cost model, laid out as {@code BertModel} builds it. */
    static CostModel bert(BertConfig c) {
        return CostModel.encoderOnly(c.layerConfig(), c.numHiddenLayers(), c.vocabSize(), c.maxPositionEmbeddings(),
                c.typeVocabSize());
    }

    /** {@code --preset} by lower-case name. */
    static final class Names extends EnumNames<CostPreset> {
        Names() {
            super(CostPreset.class);
        }
    }
}
