/**
 * The attention mechanisms: {@link dev.attention4j.nn.attention.ScaledDotProductAttention}
 * ({@code softmax(Q K^T * scale + mask) V}), {@link dev.attention4j.nn.attention.MultiHeadAttention} (learned
 * {@code W_Q, W_K, W_V, W_O}; self-, cross- and masked attention are all this one module, and the call site says
 * which), the typed {@link dev.attention4j.nn.attention.Mask} and converters from PyTorch's mask conventions in
 * {@link dev.attention4j.nn.attention.TorchMasks}.
 *
 * <p>Decoding at inference keeps projected keys and values in a {@link dev.attention4j.nn.attention.KeyValueCache}
 * (preallocated {@code (batchSize, capacity, modelDim)} buffers): {@code MultiHeadAttention.forwardCached} appends
 * the new tokens' keys and values and attends over the whole cached prefix (self-attention);
 * {@code forwardCrossCached} attends over a memory's keys and values projected once by {@code projectKeysValues}.
 * {@code capacity} — the most tokens a cache holds; {@code newLen} — tokens appended in one call. Their one-token
 * forms {@code forwardCachedStep} and {@code forwardCrossCachedStep} work on plain arrays with a preallocated
 * {@link dev.attention4j.nn.attention.AttentionScratch} and allocate nothing (a decoding step's attention).
 *
 * <p>Dim legend: {@code batchSize}; {@code numHeads}; {@code tgtLen} — queries per sequence (PyTorch's {@code L});
 * {@code srcLen} — keys/values per sequence ({@code S}); {@code headDim} — query/key width per head ({@code E});
 * {@code valueHeadDim} — value width per head ({@code Ev}); {@code modelDim} — {@code numHeads * headDim};
 * {@code keyDim, valueDim} — the widths of the key and value inputs of cross-attention (PyTorch's
 * {@code kdim, vdim}).
 *
 * <p>Looking inside: an {@link dev.attention4j.nn.attention.AttentionObserver} passed explicitly to a forward or
 * decoding call is asked, at each call's {@link dev.attention4j.nn.attention.AttentionSite} (stack, layer,
 * {@link dev.attention4j.nn.attention.AttentionKind}, step), which heads it wants and is handed their weights as an
 * {@link dev.attention4j.nn.attention.AttentionMap}; modules keep no "last attention". The hook lives here, not in
 * {@code inspect}, because the modules that call it may not import {@code inspect}.
 *
 * <p>Mask polarity, everywhere in attention4j: {@code true} means the query may attend to that key ("keep").
 *
 * <p>The arithmetic of attention, forward and backward, is {@link dev.attention4j.autograd.AttentionOp}; this package
 * adds the modules, the masks (adapted to the op's {@link dev.attention4j.autograd.ScoreMask}) and the checks.
 *
 * <p>May import: {@code nn}, {@code autograd}, {@code tensor}, {@code kernels}, the JDK.
 */
package dev.attention4j.nn.attention;
