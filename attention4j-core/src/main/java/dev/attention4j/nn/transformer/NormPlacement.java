package dev.attention4j.nn.transformer;

/** Where the LayerNorm sits around each residual sub-layer. */
public enum NormPlacement {
    /** {@code x = norm(x + sublayer(x))}: the paper's placement, PyTorch's {@code norm_first=False}. */
    POST,
    /** {@code x = x + sublayer(norm(x))}: trains more stably when deep, PyTorch's {@code norm_first=True}. */
    PRE
}
