/**
 * The stacks of the original Transformer: {@link dev.attention4j.nn.transformer.EncoderLayer} (self-attention +
 * feed-forward), {@link dev.attention4j.nn.transformer.DecoderLayer} (masked self-attention + cross-attention +
 * feed-forward), {@link dev.attention4j.nn.transformer.Encoder} and {@link dev.attention4j.nn.transformer.Decoder}
 * (N layers + optional final norm), {@link dev.attention4j.nn.transformer.Transformer} ({@code nn.Transformer}) and
 * {@link dev.attention4j.nn.transformer.Seq2SeqTransformer} (token embeddings, positions, output projection), with
 * their configs as validated records. Each residual sub-layer is one line: {@code x = x + sublayer(norm(x))}
 * (pre-norm) or {@code x = norm(x + sublayer(x))} (post-norm, the paper's).
 *
 * <p>Dim legend: {@code batchSize}; {@code srcLen} — source tokens; {@code tgtLen} — target tokens;
 * {@code modelDim}; {@code ffnDim}; {@code srcVocab, tgtVocab}. The encoder output is the {@code memory}
 * {@code (batchSize, srcLen, modelDim)} that every decoder layer cross-attends to.
 *
 * <p>Incremental decoding at inference: {@code Seq2SeqTransformer.startDecoding} (or {@code Decoder.startCache})
 * builds a {@link dev.attention4j.nn.transformer.DecoderCache} — per layer, the growing self-attention keys and values
 * and the memory's cross-attention keys and values, projected once — and {@code decodeStep} feeds one token per
 * sequence at position {@code cache.position()} and returns the next token's logits {@code (batchSize, tgtVocab)}.
 * {@code decodeStep} allocates nothing: its activations and logits live in a {@code StepWorkspace} that the cache
 * makes at its first step, and the layers run their {@code forwardCachedStep} forms on it — the kernels of the
 * Tensor path ({@code decodeCached}, the plain reference, also used for a prompt of several tokens) in the same
 * order, so the same bits.
 *
 * <p>Every forward and decoding entry point has a twin taking an {@code AttentionObserver}: the stacks tell it the
 * site of each attention call (encoder layer {@code i}: {@code SELF}; decoder layer {@code i}: {@code MASKED_SELF}
 * then {@code CROSS}; the step is the cache position when decoding) and pass it down explicitly. Without one
 * ({@code AttentionObserver.NONE}) they run exactly the unobserved code, and {@code decodeStep} stays
 * allocation-free.
 *
 * <p>May import: {@code nn}, {@code nn.attention}, {@code tensor}, the JDK.
 */
package dev.attention4j.nn.transformer;
