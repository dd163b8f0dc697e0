package dev.attention4j.nn.transformer;

import dev.attention4j.nn.PositionalEncoding;

import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * A token-to-token encoder-decoder model: vocabularies, positions and the output projection around a
 * {@link TransformerConfig}.
 *
 * @param transformer      the stacks
 * @param srcVocab         source vocabulary size
 * @param tgtVocab         target vocabulary size
 * @param maxLen           the longest source or target sequence
 * @param positions        sinusoidal (the paper) or learned
 * @param outputProjection whether the logits reuse the target embedding matrix (weight tying) or have their own
 */
public record Seq2SeqConfig(TransformerConfig transformer, int srcVocab, int tgtVocab, int maxLen,
                            Positions positions, OutputProjection outputProjection) {

    /** How positions enter the model. */
    public enum Positions {
        /** The paper's fixed sinusoids. */
        SINUSOIDAL,
        /** A learned table (parameter {@code positional_encoding.weight}). */
        LEARNED;

        /** The encoding of this kind for sequences up to {@code maxLen} tokens. */
        public PositionalEncoding encoding(int maxLen, int modelDim, RandomGenerator random) {
            return switch (this) {
                case SINUSOIDAL -> PositionalEncoding.sinusoidal(maxLen, modelDim);
                case LEARNED -> PositionalEncoding.learned(maxLen, modelDim, random);
            };
        }
    }

    /** Where the output projection's matrix comes from. */
    public enum OutputProjection {
        /** {@code logits = h E_tgt^T + b}: the target embedding matrix, shared (the paper's weight tying). */
        TIED_TO_TARGET_EMBEDDING,
        /** Its own {@code generator.weight (tgtVocab, modelDim)}. */
        SEPARATE
    }

    /** The paper's choices around {@code transformer}: sinusoidal positions, output tied to the target embedding. */
    public static Seq2SeqConfig of(TransformerConfig transformer, int srcVocab, int tgtVocab, int maxLen) {
        return new Seq2SeqConfig(transformer, srcVocab, tgtVocab, maxLen, Positions.SINUSOIDAL,
                OutputProjection.TIED_TO_TARGET_EMBEDDING);
    }

    public Seq2SeqConfig withPositions(Positions newPositions) {
        return new Seq2SeqConfig(transformer, srcVocab, tgtVocab, maxLen, newPositions, outputProjection);
    }

    public Seq2SeqConfig withOutputProjection(OutputProjection newProjection) {
        return new Seq2SeqConfig(transformer, srcVocab, tgtVocab, maxLen, positions, newProjection);
    }

    public Seq2SeqConfig {
        Objects.requireNonNull(transformer, "transformer");
        if (srcVocab <= 0) {
            throw new IllegalArgumentException("srcVocab: expected > 0 but got " + srcVocab);
        }
        if (tgtVocab <= 0) {
            throw new IllegalArgumentException("tgtVocab: expected > 0 but got " + tgtVocab);
        }
        if (maxLen <= 0) {
            throw new IllegalArgumentException("maxLen: expected > 0 but got " + maxLen);
        }
        Objects.requireNonNull(positions, "positions");
        Objects.requireNonNull(outputProjection, "outputProjection");
        if (positions == Positions.SINUSOIDAL && transformer.layer().modelDim() % 2 != 0) {
            throw new IllegalArgumentException("modelDim: sinusoidal positions need an even modelDim but got "
                    + transformer.layer().modelDim());
        }
    }
}
