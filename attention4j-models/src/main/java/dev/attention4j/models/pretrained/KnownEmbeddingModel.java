package dev.attention4j.models.pretrained;

import dev.attention4j.models.embeddings.Normalize;
import dev.attention4j.models.embeddings.Pooling;
import java.util.Objects;

/**
 * A pretrained embedding model that {@link EmbeddingModels} loads by name from the classpath: the Maven artifact that
 * ships it, its two resources, and how its token states become a sentence embedding (what the model's authors, and
 * langchain4j's own class for the artifact, use).
 *
 * @param name              the name it is loaded by, lower case (e.g. {@code all-minilm-l6-v2})
 * @param groupId           the Maven group of the artifact that ships it
 * @param artifactId        the Maven artifact
 * @param version           a version of the artifact known to work
 * @param onnxResource      the classpath resource of the exported model
 * @param tokenizerResource the classpath resource of its {@code tokenizer.json}
 * @param pooling           how token states become one vector
 * @param normalize         what is done to that vector
 * @param maxTokens         the longest input, special tokens included (sentence-transformers' {@code max_seq_length})
 * @param queryPrefix       prepended to a search query, as the model was trained ({@code ""} for none)
 * @param passagePrefix     prepended to a passage searched in ({@code ""} for none)
 * @param description       one line for humans
 */
public record KnownEmbeddingModel(String name, String groupId, String artifactId, String version, String onnxResource,
                                  String tokenizerResource, Pooling pooling, Normalize normalize, int maxTokens,
                                  String queryPrefix, String passagePrefix, String description) {

    public KnownEmbeddingModel {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(groupId, "groupId");
        Objects.requireNonNull(artifactId, "artifactId");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(onnxResource, "onnxResource");
        Objects.requireNonNull(tokenizerResource, "tokenizerResource");
        Objects.requireNonNull(pooling, "pooling");
        Objects.requireNonNull(normalize, "normalize");
        Objects.requireNonNull(queryPrefix, "queryPrefix");
        Objects.requireNonNull(passagePrefix, "passagePrefix");
        Objects.requireNonNull(description, "description");
        if (maxTokens < 3) {
            throw new IllegalArgumentException("maxTokens: expected >= 3 but got " + maxTokens);
        }
    }

    /** {@code groupId:artifactId:version}. */
    public String coordinates() {
        return groupId + ":" + artifactId + ":" + version;
    }
}
