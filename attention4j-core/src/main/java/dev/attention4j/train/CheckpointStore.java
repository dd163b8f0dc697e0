package dev.attention4j.train;

import java.io.IOException;
import java.util.Optional;

/**
 * Where checkpoints go. Implementations must be crash-safe: if the process dies during {@link #save}, a later
 * {@link #loadLatest} returns the previous complete checkpoint, never a mixture or a torn file.
 */
public interface CheckpointStore {

    /** Writes {@code checkpoint} and makes it the latest. */
    void save(Checkpoint checkpoint) throws IOException;

    /** The most recently saved complete checkpoint, or empty if none has been saved. */
    Optional<Checkpoint> loadLatest() throws IOException;
}
