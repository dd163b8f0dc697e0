/**
 * Training machinery around the autograd tape: {@link dev.attention4j.train.Optimizer} ({@link
 * dev.attention4j.train.Adam}, which is also AdamW), {@link dev.attention4j.train.LearningRateSchedule},
 * {@link dev.attention4j.train.GradientClipping}, {@link dev.attention4j.train.GradientAccumulator}, and the
 * checkpoint model ({@link dev.attention4j.train.Checkpoint}, {@link dev.attention4j.train.CheckpointStore}) whose
 * on-disk implementations live with the formats in {@code attention4j-models}.
 *
 * <p>Parameters travel as {@code Map<String, Tensor>} in a module's
 * {@link dev.attention4j.nn.Module#namedParameters()} order, under PyTorch's names; their gradients are looked up in
 * {@link dev.attention4j.autograd.Gradients} by tensor identity. Everything here is sequential and iterates in that
 * map order, so a step gives the same bits whatever the thread count.
 *
 * <p>Step numbers are 1-based: step {@code s} is the {@code s}-th optimizer update, as in PyTorch's {@code step}
 * state and the Transformer paper's learning-rate formula.
 *
 * <p>Dim legend: none of its own; every tensor here has the shape of the parameter it belongs to.
 *
 * <p>May import: {@code nn}, {@code autograd}, {@code tensor}, {@code kernels}, the JDK. Never {@code generate},
 * {@code inspect} or any weight-format code (files are {@code attention4j-models}' business).
 */
package dev.attention4j.train;
