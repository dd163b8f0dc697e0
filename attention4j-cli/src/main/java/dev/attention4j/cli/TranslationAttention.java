package dev.attention4j.cli;

import dev.attention4j.generate.Finish;
import dev.attention4j.generate.Hypothesis;
import dev.attention4j.inspect.AttentionRecorder;
import dev.attention4j.nn.Mode;
import dev.attention4j.nn.attention.AttentionKind;
import dev.attention4j.nn.attention.AttentionSite;
import dev.attention4j.nn.attention.Mask;
import dev.attention4j.train.data.Tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What a trained encoder-decoder attended to while translating one text into one output: every layer and head of
 * the encoder's self-attention (source x source), of the decoder's masked self-attention (decoder inputs x decoder
 * inputs) and of its cross-attention (decoder inputs x source) — the alignment.
 *
 * <p>Recorded by one teacher-forced pass: the decoder is fed BOS and the output's tokens, exactly the inputs it was
 * fed step by step while generating, so row {@code t} is what the model looked at when it produced the {@code t}-th
 * output token ({@link #produced()}; the stop token {@code </s>} last when the output ended on it). The weights are
 * those generation computed, up to float rounding (the cached step sums in another order).
 *
 * @param source       the source tokens (columns of the alignment)
 * @param fed          the decoder's inputs: {@code <s>} then the output tokens (columns of the decoder's self-attention)
 * @param produced     the token each decoder position produced (rows of the decoder's maps)
 * @param encoderSelf  {@code source x source}
 * @param decoderSelf  {@code produced x fed} (square), zero above the diagonal
 * @param cross        {@code produced x source}
 */
record TranslationAttention(List<String> source, List<String> fed, List<String> produced, HeadMaps encoderSelf,
                            HeadMaps decoderSelf, HeadMaps cross) {

    /**
     * Records the maps of {@code output} (a hypothesis the model generated for {@code sourceIds}).
     *
     * @throws IllegalArgumentException if {@code sourceIds} is empty, or {@code output} produced nothing (not even
     *                                  the stop token)
     */
    static TranslationAttention of(TrainedModel model, int[] sourceIds, Hypothesis output) {
        if (sourceIds.length == 0) {
            throw new IllegalArgumentException("sourceIds: expected at least one token");
        }
        int[] tokens = output.tokens();
        boolean stopped = output.finish() == Finish.STOP_TOKEN;
        if (tokens.length == 0 && !stopped) {
            throw new IllegalArgumentException("output: expected at least one token generated but it has none");
        }
        // Fed: BOS, then every output token that was fed back (all of them when a stop token followed).
        int fedLength = stopped ? tokens.length + 1 : tokens.length;
        int[] fed = new int[fedLength];
        fed[0] = Tokenizer.BOS_ID;
        System.arraycopy(tokens, 0, fed, 1, fedLength - 1);
        int[] produced = stopped ? Arrays.copyOf(tokens, tokens.length + 1) : tokens.clone();
        if (stopped) {
            produced[tokens.length] = Tokenizer.EOS_ID;
        }
        AttentionRecorder recorder = AttentionRecorder.allHeads();
        model.model().forward(new int[][] {sourceIds}, new int[][] {fed}, Mask.none(), Mask.none(), Mode.INFERENCE,
                recorder);
        Tokenizer src = model.sourceTokenizer();
        Tokenizer tgt = model.targetTokenizer();
        return new TranslationAttention(labels(src, sourceIds), labels(tgt, fed), labels(tgt, produced),
                HeadMaps.of(recorder, AttentionSite.Stack.ENCODER, AttentionKind.SELF),
                HeadMaps.of(recorder, AttentionSite.Stack.DECODER, AttentionKind.MASKED_SELF),
                HeadMaps.of(recorder, AttentionSite.Stack.DECODER, AttentionKind.CROSS));
    }

    private static List<String> labels(Tokenizer tokenizer, int[] ids) {
        List<String> out = new ArrayList<>(ids.length);
        for (int id : ids) {
            out.add(tokenizer.token(id));
        }
        return List.copyOf(out);
    }
}
