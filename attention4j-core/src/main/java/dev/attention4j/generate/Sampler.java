package dev.attention4j.generate;

/**
 * How the next token is chosen from the model's scores: {@link Greedy}, {@link Beam} search or {@link Random}
 * sampling (temperature, top-k, top-p). Every strategy runs on the same cached decoding loop ({@link Generator}); the
 * repetition penalty, stop tokens and the length limit are in {@link GenerationConfig}.
 */
public sealed interface Sampler {

    /** The most likely token at every step (the first on ties). */
    record Greedy() implements Sampler {
    }

    /**
     * Beam search as Hugging Face defines it: at each step the {@code beamSize} best continuations of each source are
     * kept, scored by the sum of their tokens' log-probabilities; a hypothesis that ends on a stop token is scored
     * {@code sumLogProbs / generatedLength^lengthPenalty}, where the generated length counts the stop token.
     *
     * @param beamSize           beams per source, {@code >= 1}
     * @param lengthPenalty      the exponent on the length; {@code > 0} favours longer outputs, {@code < 0} shorter
     * @param earlyStopping      when a source stops
     * @param numReturnSequences hypotheses returned per source, best first, in {@code [1, beamSize]}
     */
    record Beam(int beamSize, double lengthPenalty, EarlyStopping earlyStopping, int numReturnSequences)
            implements Sampler {
        public Beam {
            if (beamSize < 1) {
                throw new IllegalArgumentException("beamSize: expected >= 1 but got " + beamSize);
            }
            if (!Double.isFinite(lengthPenalty)) {
                throw new IllegalArgumentException("lengthPenalty: expected a finite number but got " + lengthPenalty);
            }
            if (earlyStopping == null) {
                throw new IllegalArgumentException("earlyStopping: expected a value but got null");
            }
            if (numReturnSequences < 1 || numReturnSequences > beamSize) {
                throw new IllegalArgumentException("numReturnSequences: expected a count in [1, beamSize = " + beamSize
                        + "] but got " + numReturnSequences);
            }
        }

        public Beam withLengthPenalty(double lengthPenalty) {
            return new Beam(beamSize, lengthPenalty, earlyStopping, numReturnSequences);
        }

        public Beam withEarlyStopping(EarlyStopping earlyStopping) {
            return new Beam(beamSize, lengthPenalty, earlyStopping, numReturnSequences);
        }

        public Beam withNumReturnSequences(int numReturnSequences) {
            return new Beam(beamSize, lengthPenalty, earlyStopping, numReturnSequences);
        }
    }

    /**
     * Sampling as Hugging Face's warpers define it, applied in this order: divide the scores by the
     * {@code temperature}; keep the {@code topK} highest (and any tied with the k-th); keep the smallest set of the
     * most likely tokens whose probabilities add up to at least {@code topP}; draw from the softmax of what is left.
     * Source {@code i}'s draws come from its own generator, split in order from one seeded with {@code seed}: the same
     * seed gives the same tokens, whatever the thread count.
     *
     * @param temperature {@code > 0}; below 1 sharpens, above 1 flattens
     * @param topK        {@code >= 0}; 0 keeps every token
     * @param topP        in {@code (0, 1]}; 1 keeps every token
     * @param seed        the seed of the draws
     */
    record Random(double temperature, int topK, double topP, long seed) implements Sampler {
        public Random {
            if (!(temperature > 0) || !Double.isFinite(temperature)) {
                throw new IllegalArgumentException("temperature: expected a finite number > 0 but got " + temperature);
            }
            if (topK < 0) {
                throw new IllegalArgumentException("topK: expected >= 0 (0 = off) but got " + topK);
            }
            if (!(topP > 0 && topP <= 1)) {
                throw new IllegalArgumentException("topP: expected a number in (0, 1] (1 = off) but got " + topP);
            }
        }

        public Random withTemperature(double temperature) {
            return new Random(temperature, topK, topP, seed);
        }

        public Random withTopK(int topK) {
            return new Random(temperature, topK, topP, seed);
        }

        public Random withTopP(double topP) {
            return new Random(temperature, topK, topP, seed);
        }

        public Random withSeed(long seed) {
            return new Random(temperature, topK, topP, seed);
        }
    }

    static Greedy greedy() {
        return new Greedy();
    }

    /** Beam search with HF's defaults: length penalty 1, {@link EarlyStopping#HEURISTIC}, the best hypothesis only. */
    static Beam beam(int beamSize) {
        return new Beam(beamSize, 1.0, EarlyStopping.HEURISTIC, 1);
    }

    /** Plain sampling from the model's distribution (temperature 1, no top-k, no top-p). */
    static Random random(long seed) {
        return new Random(1.0, 0, 1.0, seed);
    }
}
