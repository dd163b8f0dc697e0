package dev.attention4j.nn.transformer;

/** Whether a stack ends with a LayerNorm (PyTorch's {@code norm=} argument; pre-norm stacks need one). */
public enum FinalNorm {
    NONE,
    LAYER_NORM
}
