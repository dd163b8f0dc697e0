package dev.attention4j.cli;

import dev.attention4j.tensor.Tensor;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The demo's fixed example: the source "the cat sat on the mat", the target "猫 坐 在 垫子 上", and deterministic
 * pseudo-embeddings for both. Each word stands for a concept with a seeded random vector; an English word is its
 * concept's vector, a Chinese word is its concept's vector plus a little seeded noise, so a translation pair points
 * the same way and cross-attention has a real alignment to find. Both "the" get the same vector: without positional
 * encodings nothing tells them apart.
 */
record DemoExample(List<String> sourceTokens, List<String> targetTokens, Tensor sourceEmbeddings,
                   Tensor targetEmbeddings) {

    /** Width of every pseudo-embedding. */
    static final int MODEL_DIM = 8;

    private static final List<String> CONCEPTS = List.of("the", "cat", "sit", "on", "mat");
    private static final long SEED = 20240917L;
    private static final float CONCEPT_SCALE = 0.9f;
    private static final float NOISE_SCALE = 0.25f;

    /** The example used by {@code attention4j demo}. */
    static DemoExample standard() {
        List<String> source = List.of("the", "cat", "sat", "on", "the", "mat");
        List<String> target = List.of("猫", "坐", "在", "垫子", "上");
        Map<String, String> sourceConcept = Map.of("the", "the", "cat", "cat", "sat", "sit", "on", "on", "mat", "mat");
        Map<String, String> targetConcept =
                Map.of("猫", "cat", "坐", "sit", "在", "on", "垫子", "mat", "上", "on");

        float[][] concepts = new float[CONCEPTS.size()][MODEL_DIM];
        SplittableRandom random = new SplittableRandom(SEED);
        for (float[] c : concepts) {
            for (int d = 0; d < MODEL_DIM; d++) {
                c[d] = (float) random.nextGaussian() * CONCEPT_SCALE;
            }
        }
        Tensor src = Tensor.zeros(1, source.size(), MODEL_DIM); // (batchSize, srcLen, modelDim)
        for (int t = 0; t < source.size(); t++) {
            float[] c = concepts[CONCEPTS.indexOf(sourceConcept.get(source.get(t)))];
            System.arraycopy(c, 0, src.data(), t * MODEL_DIM, MODEL_DIM);
        }
        Tensor tgt = Tensor.zeros(1, target.size(), MODEL_DIM); // (batchSize, tgtLen, modelDim)
        for (int t = 0; t < target.size(); t++) {
            float[] c = concepts[CONCEPTS.indexOf(targetConcept.get(target.get(t)))];
            for (int d = 0; d < MODEL_DIM; d++) {
                tgt.data()[t * MODEL_DIM + d] = c[d] + (float) random.nextGaussian() * NOISE_SCALE;
            }
        }
        return new DemoExample(source, target, src, tgt);
    }

    /** The source as one string. */
    String sourceText() {
        return String.join(" ", sourceTokens);
    }

    /** The target as one string. */
    String targetText() {
        return String.join(" ", targetTokens);
    }
}
