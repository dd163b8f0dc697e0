package dev.attention4j.generate;

import java.util.Set;

/**
 * What to generate and how.
 *
 * @param maxNewTokens      the most tokens generated per source, stop token included (as HF's
 *                          {@code max_new_tokens}); {@code >= 0}
 * @param stopTokens        ids that end a sequence (e.g. EOS); may be empty
 * @param repetitionPenalty HF's repetition penalty: the score of every token already in the sequence (prompt or BOS
 *                          included) is divided by it when positive and multiplied by it when negative; 1 = off
 * @param sampler           greedy, beam search or sampling
 * @param caching           how much decoder work is kept between steps ({@link DecoderCaching#FULL} normally)
 */
public record GenerationConfig(int maxNewTokens, Set<Integer> stopTokens, double repetitionPenalty, Sampler sampler,
                               DecoderCaching caching) {
    public GenerationConfig {
        if (maxNewTokens < 0) {
            throw new IllegalArgumentException("maxNewTokens: expected >= 0 but got " + maxNewTokens);
        }
        if (stopTokens == null) {
            throw new IllegalArgumentException("stopTokens: expected a set (possibly empty) but got null");
        }
        stopTokens = Set.copyOf(stopTokens);
        for (int t : stopTokens) {
            if (t < 0) {
                throw new IllegalArgumentException("stopTokens: expected token ids >= 0 but got " + t);
            }
        }
        if (!(repetitionPenalty > 0) || !Double.isFinite(repetitionPenalty)) {
            throw new IllegalArgumentException("repetitionPenalty: expected a finite number > 0 (1 = off) but got "
                    + repetitionPenalty);
        }
        if (sampler == null || caching == null) {
            throw new IllegalArgumentException("sampler and caching: expected values but got "
                    + sampler + " and " + caching);
        }
    }

    /** Greedy decoding of at most {@code maxNewTokens} tokens, stopping at {@code stopToken}, fully cached. */
    public static GenerationConfig greedy(int maxNewTokens, int stopToken) {
        return new GenerationConfig(maxNewTokens, Set.of(stopToken), 1.0, Sampler.greedy(), DecoderCaching.FULL);
    }

    public GenerationConfig withSampler(Sampler sampler) {
        return new GenerationConfig(maxNewTokens, stopTokens, repetitionPenalty, sampler, caching);
    }

    public GenerationConfig withMaxNewTokens(int maxNewTokens) {
        return new GenerationConfig(maxNewTokens, stopTokens, repetitionPenalty, sampler, caching);
    }

    public GenerationConfig withStopTokens(Set<Integer> stopTokens) {
        return new GenerationConfig(maxNewTokens, stopTokens, repetitionPenalty, sampler, caching);
    }

    public GenerationConfig withRepetitionPenalty(double repetitionPenalty) {
        return new GenerationConfig(maxNewTokens, stopTokens, repetitionPenalty, sampler, caching);
    }

    public GenerationConfig withCaching(DecoderCaching caching) {
        return new GenerationConfig(maxNewTokens, stopTokens, repetitionPenalty, sampler, caching);
    }

    /** Beams per source: the beam size for beam search, otherwise 1. */
    int beamsPerSource() {
        return sampler instanceof Sampler.Beam b ? b.beamSize() : 1;
    }
}
