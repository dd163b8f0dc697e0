/**
 * Training checkpoints on disk: {@link dev.attention4j.models.checkpoints.DirectoryCheckpointStore} keeps
 * {@link dev.attention4j.train.Checkpoint}s as safetensors and JSON files in step directories, crash-safely.
 *
 * <p>May import: {@code dev.attention4j.train}, {@code dev.attention4j.tensor}, {@code dev.attention4j.models.formats},
 * Jackson and the JDK.
 */
package dev.attention4j.models.checkpoints;
