package dev.attention4j.models.retrieval;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link CorpusIndex#open} did with the cache file, for the caller to report.
 *
 * @param cache       the cache file
 * @param kind        reused, created, or rebuilt (and why)
 * @param reason      why it was rebuilt ({@code ""} otherwise): the corpus or the model changed, or the file could not
 *                    be read (with the error)
 * @param saveFailure why the new embeddings could not be written, if they could not (the index works all the same)
 */
public record CacheUse(Path cache, Kind kind, String reason, Optional<String> saveFailure) {

    /** What happened to the cache. */
    public enum Kind {
        /** The cache matched the corpus and the model, and its embeddings were used. */
        REUSED,
        /** There was no cache; the corpus was embedded and a cache written. */
        CREATED,
        /** The cache was stale (corpus or model changed); the corpus was embedded again. */
        REBUILT_STALE,
        /** The cache could not be read or failed verification; the corpus was embedded again. */
        REBUILT_DAMAGED
    }

    public CacheUse {
        Objects.requireNonNull(cache, "cache");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(saveFailure, "saveFailure");
    }
}
