/**
 * Pictures of what attention4j computes, written as files people open: PNG (through {@code java.awt} and
 * {@code javax.imageio}) and SVG (as text, the same layout). {@link dev.attention4j.viz.LineChart} draws training
 * curves; {@link dev.attention4j.viz.AttentionHeatmap} draws attention weights
 * ({@link dev.attention4j.viz.AttentionMatrix}: one matrix, or a layer x head grid) with token labels in any script;
 * the interactive HTML attention explorer is in {@link dev.attention4j.viz.explorer}.
 *
 * <p>Rendering is headless: the package sets {@code java.awt.headless=true} before it first touches AWT (unless the
 * application already chose a value) and only ever draws into off-screen {@code BufferedImage}s, so it never opens
 * a window and needs no display. Files are written atomically (a temporary file beside the target, then a move), so a
 * reader never sees half a picture. Nothing here prints.
 *
 * <p>May import: the JDK only ({@code java.awt}, {@code java.awt.image}, {@code javax.imageio}, {@code java.nio});
 * no attention4j package and no third-party library. Callers hand over plain arrays.
 */
package dev.attention4j.viz;
