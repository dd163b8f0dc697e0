package dev.attention4j.models.retrieval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attention4j.models.embeddings.EmbeddingProgress;
import dev.attention4j.models.pretrained.EmbeddingModel;
import dev.attention4j.models.pretrained.EmbeddingModels;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CorpusIndex with the built-in model: ranking by cosine with line numbers that count empty lines, and the cache's
 * life: created, reused as it is, rebuilt when the corpus or the model changes, rebuilt (not trusted) when damaged.
 */
class CorpusIndexTest {

    private static final String CORPUS = """
            The cat sat on the mat.

            Attention weighs every token against every other token.
            Paris is the capital of France.
            \s\s
            A transformer stacks attention and feed-forward layers.
            """;

    private static EmbeddingModel model;

    @TempDir
    Path dir;

    @BeforeAll
    static void load() throws Exception {
        model = EmbeddingModels.load(EmbeddingModels.DEFAULT);
    }

    @Test
    void searchRanksNonEmptyLinesByCosineKeepingLineNumbers() throws Exception {
        Path corpus = Files.writeString(dir.resolve("corpus.txt"), CORPUS);
        CorpusIndex index = CorpusIndex.open(corpus, model, EmbeddingProgress.NONE).index();
        assertThat(index.size()).isEqualTo(4);
        assertThat(index.lines()).hasSize(6);
        assertThat(index.embedding(2)).isEmpty();

        List<Hit> hits = index.search("What is the capital city of France?", 10);
        assertThat(hits).hasSize(4);
        assertThat(hits.get(0).lineNumber()).isEqualTo(4);
        assertThat(hits.get(0).text()).isEqualTo("Paris is the capital of France.");
        assertThat(hits).extracting(Hit::lineNumber).containsExactlyInAnyOrder(1, 3, 4, 6);
        float[] query = model.embedder().embed("What is the capital city of France?");
        for (int k = 0; k < hits.size(); k++) {
            Hit h = hits.get(k);
            assertThat(h.score()).isEqualTo(CorpusIndex.cosine(query, index.embedding(h.lineNumber()).orElseThrow()));
            assertThat(h.score()).isEqualTo(CorpusIndex.cosine(query, model.embedder().embed(h.text())));
            if (k > 0) {
                assertThat(h.score()).isLessThanOrEqualTo(hits.get(k - 1).score());
            }
        }
        assertThat(index.search(List.of("cats", "neural networks"), 1)).extracting(l -> l.get(0).lineNumber())
                .containsExactly(1, 6);
    }

    @Test
    void theCacheIsCreatedReusedAndRebuiltWhenTheCorpusOrModelChanges() throws Exception {
        Path corpus = Files.writeString(dir.resolve("corpus.txt"), CORPUS);
        Path cache = CorpusIndex.cachePath(corpus);
        assertThat(cache.getFileName().toString()).isEqualTo("corpus.txt.embeddings.safetensors");
        List<Integer> progress = new ArrayList<>();

        CorpusIndex.Opened first = CorpusIndex.open(corpus, model, (done, total) -> progress.add(done));
        assertThat(first.cacheUse().kind()).isEqualTo(CacheUse.Kind.CREATED);
        assertThat(first.cacheUse().saveFailure()).isEmpty();
        assertThat(progress).last().isEqualTo(4);
        byte[] written = Files.readAllBytes(cache);

        progress.clear();
        CorpusIndex.Opened second = CorpusIndex.open(corpus, model, (done, total) -> progress.add(done));
        assertThat(second.cacheUse().kind()).isEqualTo(CacheUse.Kind.REUSED);
        assertThat(progress).isEmpty();
        assertThat(Files.readAllBytes(cache)).isEqualTo(written);
        for (int line : new int[] {1, 3, 4, 6}) {
            assertThat(second.index().embedding(line).orElseThrow())
                    .isEqualTo(first.index().embedding(line).orElseThrow());
        }

        Files.writeString(corpus, CORPUS + "One more line.\n");
        CorpusIndex.Opened changed = CorpusIndex.open(corpus, model, EmbeddingProgress.NONE);
        assertThat(changed.cacheUse().kind()).isEqualTo(CacheUse.Kind.REBUILT_STALE);
        assertThat(changed.cacheUse().reason()).contains("corpus changed");
        assertThat(changed.index().size()).isEqualTo(5);

        EmbeddingModel other = new EmbeddingModel("other", "another identity", model.embedder(), "", "");
        CorpusIndex.Opened otherModel = CorpusIndex.open(corpus, other, EmbeddingProgress.NONE);
        assertThat(otherModel.cacheUse().kind()).isEqualTo(CacheUse.Kind.REBUILT_STALE);
        assertThat(otherModel.cacheUse().reason()).contains("model changed");
        assertThat(CorpusIndex.open(corpus, other, EmbeddingProgress.NONE).cacheUse().kind())
                .isEqualTo(CacheUse.Kind.REUSED);
    }

    @Test
    void aDamagedCacheIsRebuiltNeverTrusted() throws Exception {
        Path corpus = Files.writeString(dir.resolve("corpus.txt"), CORPUS);
        Path cache = CorpusIndex.cachePath(corpus);
        CorpusIndex.open(corpus, model, EmbeddingProgress.NONE);
        byte[] good = Files.readAllBytes(cache);

        Files.write(cache, java.util.Arrays.copyOf(good, good.length - 100)); // truncated
        CorpusIndex.Opened truncated = CorpusIndex.open(corpus, model, EmbeddingProgress.NONE);
        assertThat(truncated.cacheUse().kind()).isEqualTo(CacheUse.Kind.REBUILT_DAMAGED);
        assertThat(truncated.cacheUse().reason()).isNotBlank();
        assertThat(Files.readAllBytes(cache)).isEqualTo(good);

        Files.writeString(cache, "garbage, not safetensors");
        assertThat(CorpusIndex.open(corpus, model, EmbeddingProgress.NONE).cacheUse().kind())
                .isEqualTo(CacheUse.Kind.REBUILT_DAMAGED);

        byte[] nan = good.clone();                     // the last float of the last embedding becomes NaN
        nan[nan.length - 1] = (byte) 0x7f;
        nan[nan.length - 2] = (byte) 0xc0;
        Files.write(cache, nan);
        CorpusIndex.Opened poisoned = CorpusIndex.open(corpus, model, EmbeddingProgress.NONE);
        assertThat(poisoned.cacheUse().kind()).isEqualTo(CacheUse.Kind.REBUILT_DAMAGED);
        assertThat(poisoned.cacheUse().reason()).contains("NaN");
        assertThat(CorpusIndex.open(corpus, model, EmbeddingProgress.NONE).cacheUse().kind())
                .isEqualTo(CacheUse.Kind.REUSED);
    }

    /** The README's example, so the documentation cannot drift from the API. */
    @Test
    void theReadmeExampleRuns() throws Exception {
        Path notes = Files.writeString(dir.resolve("notes.txt"), CORPUS);
        EmbeddingModel minilm = EmbeddingModels.load("all-minilm-l6-v2");
        float[][] v = minilm.embedder().embed(List.of("first text", "second"));
        CorpusIndex.Opened corpus = CorpusIndex.open(notes, minilm, (done, total) -> { });
        List<Hit> top3 = corpus.index().search("how does attention scale?", 3);
        assertThat(v).hasNumberOfRows(2);
        assertThat(top3).hasSize(3);
        assertThat(top3.get(0).lineNumber()).isEqualTo(3);
    }

    @Test
    void unreadableCorporaAreErrorsNamingTheFile() throws Exception {
        assertThatThrownBy(() -> CorpusIndex.open(dir.resolve("missing.txt"), model, EmbeddingProgress.NONE))
                .isInstanceOf(NoSuchFileException.class).hasMessageContaining("missing.txt");
        Path latin1 = Files.write(dir.resolve("latin1.txt"), new byte[] {'c', 'a', 'f', (byte) 0xe9});
        assertThatThrownBy(() -> CorpusIndex.open(latin1, model, EmbeddingProgress.NONE))
                .hasMessageContainingAll("latin1.txt", "not UTF-8");
        Path empty = Files.writeString(dir.resolve("empty.txt"), "\n\n");
        CorpusIndex.Opened opened = CorpusIndex.open(empty, model, EmbeddingProgress.NONE);
        assertThat(opened.index().search("anything", 3)).isEmpty();
        assertThat(CorpusIndex.open(empty, model, EmbeddingProgress.NONE).cacheUse().kind())
                .isEqualTo(CacheUse.Kind.REUSED);
    }
}
