package dev.attention4j.cli;

import dev.attention4j.inspect.AttentionRecorder;
import dev.attention4j.models.bert.BertModel;
import dev.attention4j.models.embeddings.TokenBatch;
import dev.attention4j.models.pretrained.EmbeddingModel;
import dev.attention4j.models.tokenizers.Encoding;
import dev.attention4j.nn.Mode;
import dev.attention4j.nn.attention.AttentionKind;
import dev.attention4j.nn.attention.AttentionSite;

import java.util.List;

/**
 * Every layer and head of a pretrained encoder's self-attention over one text, as {@code explain} shows it.
 *
 * @param tokens the text's tokens as the model's tokenizer cut them, specials included ({@code [CLS] ... [SEP]})
 * @param self   {@code tokens x tokens}; row {@code i} is what token {@code i} attends to
 */
record EncoderAttention(List<String> tokens, HeadMaps self) {

    /**
     * Runs {@code model} on {@code text} (truncated to the model's maximum length as its tokenizer says) and records
     * every head.
     *
     * @throws UserError if the model is not a BERT-family encoder attention4j can watch
     */
    static EncoderAttention of(EmbeddingModel model, String text) throws UserError {
        if (!(model.embedder().sentenceEmbedder().encoder() instanceof BertModel bert)) {
            throw new UserError("--model " + model.name() + ": explain needs a BERT-family encoder but this model's"
                    + " encoder is " + model.embedder().sentenceEmbedder().encoder().getClass().getSimpleName());
        }
        Encoding encoding = model.embedder().tokenizer().encode(text);
        int n = encoding.length();
        boolean[] real = new boolean[n];
        java.util.Arrays.fill(real, true);
        TokenBatch batch = new TokenBatch(new int[][] {encoding.ids()}, new int[][] {encoding.typeIds()},
                new boolean[][] {real});
        AttentionRecorder recorder = AttentionRecorder.allHeads();
        bert.forward(batch, Mode.INFERENCE, recorder);
        return new EncoderAttention(encoding.tokens(),
                HeadMaps.of(recorder, AttentionSite.Stack.ENCODER, AttentionKind.SELF));
    }
}
