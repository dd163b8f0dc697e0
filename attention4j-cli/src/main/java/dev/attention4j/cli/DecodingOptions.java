package dev.attention4j.cli;

import dev.attention4j.generate.DecoderCaching;
import dev.attention4j.generate.EarlyStopping;
import dev.attention4j.generate.GenerationConfig;
import dev.attention4j.generate.Sampler;
import picocli.CommandLine.Option;

import java.util.Set;

/**
 * The decoding flags of {@code translate}: greedy by default, {@code --beam K} for beam search, {@code --sample} for
 * sampling. Turned into a {@link GenerationConfig} by {@link #config}; contradictory flags are a {@link UserError}.
 */
final class DecodingOptions {

    @Option(names = "--beam", paramLabel = "K", description = "Beam search with K beams (default: greedy).")
    Integer beam;

    @Option(names = "--length-penalty", paramLabel = "X", description = "Beam search: score = sum of log-probs / "
            + "length^X, as Hugging Face (default: 1.0; > 0 favours longer outputs).")
    Double lengthPenalty;

    @Option(names = "--early-stopping", paramLabel = "WHEN", converter = EarlyStoppingNames.class,
            completionCandidates = EarlyStoppingNames.class,
            description = "Beam search: when a source stops, one of ${COMPLETION-CANDIDATES} (default: heuristic).")
    EarlyStopping earlyStopping;

    @Option(names = "--nbest", paramLabel = "N", description = "Beam search: print the N best hypotheses per input, "
            + "one per line as SCORE<TAB>TEXT (default: 1, text only).")
    Integer nbest;

    @Option(names = "--sample", description = "Sample instead of taking the most likely token.")
    boolean sample;

    @Option(names = "--temperature", paramLabel = "T", description = "Sampling: divide the scores by T (default 1).")
    Double temperature;

    @Option(names = "--top-k", paramLabel = "K", description = "Sampling: keep the K most likely tokens (default: all).")
    Integer topK;

    @Option(names = "--top-p", paramLabel = "P", description = "Sampling: keep the smallest set of most likely tokens "
            + "whose probability reaches P (default: 1, all).")
    Double topP;

    @Option(names = "--seed", paramLabel = "S", description = "Sampling: the seed of the draws (default: 0); the same "
            + "seed gives the same output.")
    Long seed;

    @Option(names = "--repetition-penalty", paramLabel = "R", description = "Divide (multiply, if negative) the score of "
            + "every token already in the output by R, as Hugging Face (default: 1, off).")
    double repetitionPenalty = 1.0;

    /** Hypotheses printed per input. */
    int nbest() {
        return nbest == null ? 1 : nbest;
    }

    /** The generation config these flags ask for, up to {@code maxNewTokens} tokens, stopping at {@code eos}. */
    GenerationConfig config(int maxNewTokens, int eos) throws UserError {
        if (sample && beam != null) {
            throw new UserError("--sample and --beam: choose one (beam search does not sample)");
        }
        if (!sample && (temperature != null || topK != null || topP != null || seed != null)) {
            throw new UserError("--temperature, --top-k, --top-p and --seed apply to sampling: add --sample");
        }
        if (beam == null && (lengthPenalty != null || earlyStopping != null || nbest != null)) {
            throw new UserError("--length-penalty, --early-stopping and --nbest apply to beam search: add --beam K");
        }
        try {
            Sampler sampler = Sampler.greedy();
            if (beam != null) {
                Sampler.Beam b = Sampler.beam(beam).withNumReturnSequences(Math.min(nbest(), beam));
                if (nbest() > beam) {
                    throw new UserError("--nbest " + nbest() + ": expected at most --beam " + beam + " hypotheses");
                }
                if (lengthPenalty != null) {
                    b = b.withLengthPenalty(lengthPenalty);
                }
                sampler = earlyStopping != null ? b.withEarlyStopping(earlyStopping) : b;
            } else if (sample) {
                Sampler.Random r = Sampler.random(seed == null ? 0 : seed);
                if (temperature != null) {
                    r = r.withTemperature(temperature);
                }
                if (topK != null) {
                    r = r.withTopK(topK);
                }
                sampler = topP != null ? r.withTopP(topP) : r;
            }
            return new GenerationConfig(maxNewTokens, Set.of(eos), repetitionPenalty, sampler, DecoderCaching.FULL);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
    }

    static final class EarlyStoppingNames extends EnumNames<EarlyStopping> {
        EarlyStoppingNames() {
            super(EarlyStopping.class);
        }
    }
}
