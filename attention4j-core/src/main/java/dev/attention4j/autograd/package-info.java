/**
 * Reverse-mode automatic differentiation. During a training forward pass each differentiable op computes its output
 * and, when given a {@link dev.attention4j.autograd.Tape}, records a {@link dev.attention4j.autograd.Node} whose
 * backward reads the gradient of that output and accumulates the gradients of its inputs into
 * {@link dev.attention4j.autograd.Gradients}. {@link dev.attention4j.autograd.Tape#backward} runs the nodes in
 * reverse. With a {@code null} tape (inference) nothing is recorded and an op costs what its forward costs.
 *
 * <p>One class per op, forward and backward side by side ({@code LinearOp}, {@code LayerNormOp},
 * {@code AttentionOp}, ...). Fused ops (attention, layer norm, softmax + cross-entropy) have hand-written backward
 * kernels; attention keeps only the log-sum-exp of each row and recomputes the probabilities in backward.
 * Backward passes are deterministic: every gradient element is summed in a fixed order whatever the thread count.
 *
 * <p>Gradients are keyed by tensor identity; the op that creates a tensor owns it, and a gradient handed to
 * {@link dev.attention4j.autograd.Gradients#add} may be kept without copying (never reuse it afterwards).
 *
 * <p>Dim legend: as in {@code tensor}; {@code rows} — leading dims flattened.
 *
 * <p>May import: {@code tensor}, {@code kernels}, the JDK. Never {@code nn} or above.
 */
package dev.attention4j.autograd;
