package dev.attention4j.models.bert;

import dev.attention4j.autograd.AddOp;
import dev.attention4j.models.embeddings.TokenBatch;
import dev.attention4j.nn.Embedding;
import dev.attention4j.nn.LayerNorm;
import dev.attention4j.nn.Mode;
import dev.attention4j.nn.Module;
import dev.attention4j.nn.PositionalEncoding;
import dev.attention4j.tensor.Tensor;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * BERT's input: {@code LayerNorm(word[id] + tokenType[type] + position[t])}, each a learned table. Parameters, named
 * as Hugging Face's {@code BertEmbeddings}: {@code word_embeddings.weight (vocabSize, hiddenSize)},
 * {@code position_embeddings.weight (maxPositionEmbeddings, hiddenSize)},
 * {@code token_type_embeddings.weight (typeVocabSize, hiddenSize)}, {@code LayerNorm.weight}, {@code LayerNorm.bias}.
 */
public final class BertEmbeddings implements Module {

    private final Embedding wordEmbeddings;
    private final PositionalEncoding positionEmbeddings;
    private final Embedding tokenTypeEmbeddings;
    private final LayerNorm layerNorm;

    BertEmbeddings(BertConfig config, RandomGenerator random) {
        int hidden = config.hiddenSize();
        this.wordEmbeddings = new Embedding(config.vocabSize(), hidden, 0.02f, random);
        this.positionEmbeddings = PositionalEncoding.learned(config.maxPositionEmbeddings(), hidden, random);
        this.tokenTypeEmbeddings = new Embedding(config.typeVocabSize(), hidden, 0.02f, random);
        this.layerNorm = new LayerNorm(hidden, config.layerNormEps());
    }

    /**
     * @param batch ids and token types {@code (batchSize, seqLen)}, {@code seqLen <= maxPositionEmbeddings}
     * @return {@code (batchSize, seqLen, hiddenSize)}
     */
    public Tensor forward(TokenBatch batch, Mode mode) {
        Tensor words = wordEmbeddings.forward(batch.inputIds(), 1f, mode);          // (batchSize, seqLen, hidden)
        Tensor types = tokenTypeEmbeddings.forward(batch.tokenTypeIds(), 1f, mode); // (batchSize, seqLen, hidden)
        Tensor x = positionEmbeddings.addTo(AddOp.apply(mode.tape(), words, types), mode);
        return layerNorm.forward(x, mode);
    }

    @Override
    public void collectParameters(String prefix, Map<String, Tensor> into) {
        Module.collectChild(prefix, "word_embeddings", wordEmbeddings, into);
        Module.collectChild(prefix, "position_embeddings", positionEmbeddings, into);
        Module.collectChild(prefix, "token_type_embeddings", tokenTypeEmbeddings, into);
        Module.collectChild(prefix, "LayerNorm", layerNorm, into);
    }
}
