/**
 * Looking inside a model, as data: {@link dev.attention4j.inspect.AttentionRecorder} collects the attention maps an
 * explicitly passed {@link dev.attention4j.nn.attention.AttentionObserver} receives (per layer, head and mechanism,
 * during encoding, training and generation); the measures on them (entropy, rollout, top attended keys) and the
 * cost model of a configuration live here too. Nothing here renders: images and HTML are {@code attention4j-viz}'s.
 *
 * <p>Why the observer interface is not here: the modules that call it ({@code nn.attention},
 * {@code nn.transformer}) sit below this package and may not import it, so the hook lives beside
 * {@code MultiHeadAttention} and this package builds on it.
 *
 * <p>Dim legend: {@code batchSize}; {@code heads} — the heads observed (a selection of the module's
 * {@code numHeads}); {@code tgtLen} — query rows of a map; {@code srcLen} — keys of a map; {@code seqLen} — tokens
 * of a self-attention map ({@code tgtLen = srcLen}); {@code numLayers}.
 *
 * <p>May import: {@code nn}, {@code nn.attention}, {@code nn.transformer}, {@code autograd}, {@code tensor},
 * {@code kernels}, the JDK. Never {@code train}, {@code generate} or any rendering.
 */
package dev.attention4j.inspect;
