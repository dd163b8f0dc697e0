package dev.attention4j.cli;

import dev.attention4j.inspect.AttentionEntropy;
import dev.attention4j.inspect.AttentionRecorder;
import dev.attention4j.inspect.EntropyUnit;
import dev.attention4j.nn.attention.AttentionKind;
import dev.attention4j.nn.attention.AttentionMap;
import dev.attention4j.nn.attention.AttentionSite;

import java.util.List;

/**
 * One sequence's attention at one stack and mechanism, every layer and head, as {@code explain}, the demo and
 * {@code translate --explain} draw it.
 *
 * @param weights {@code [layer][head]}: {@code queries x keys}, row-major
 * @param entropy {@code [layer][head]}: the head's mean normalised entropy over its queries
 *                ({@link EntropyUnit#NORMALIZED}: 0 = every query on one key, 1 = uniform over what it may see)
 */
record HeadMaps(float[][][] weights, float[][] entropy) {

    /** What {@code recorder} kept at {@code stack}'s {@code kind} in a forward pass over one sequence. */
    static HeadMaps of(AttentionRecorder recorder, AttentionSite.Stack stack, AttentionKind kind) {
        float[][][] weights = recorder.perLayerAndHead(stack, kind, 0);
        List<AttentionMap> maps = recorder.maps(stack, kind);
        float[][] entropy = new float[maps.size()][];
        for (int layer = 0; layer < maps.size(); layer++) {
            double[] heads = AttentionEntropy.of(maps.get(layer)).heads(EntropyUnit.NORMALIZED);
            entropy[layer] = new float[heads.length];
            for (int k = 0; k < heads.length; k++) {
                entropy[layer][k] = (float) heads[k];
            }
        }
        return new HeadMaps(weights, entropy);
    }

    int layers() {
        return weights.length;
    }

    int heads() {
        return weights[0].length;
    }

    /** One layer averaged over its heads: {@code queries x keys}, row-major. */
    float[] headAverage(int layer) {
        float[][] heads = weights[layer];
        float[] mean = new float[heads[0].length];
        for (float[] head : heads) {
            for (int i = 0; i < mean.length; i++) {
                mean[i] += head[i];
            }
        }
        for (int i = 0; i < mean.length; i++) {
            mean[i] /= heads.length;
        }
        return mean;
    }
}
