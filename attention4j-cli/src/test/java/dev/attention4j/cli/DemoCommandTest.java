package dev.attention4j.cli;

import dev.attention4j.kernels.Parallel;
import dev.attention4j.train.data.NumberWords;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs {@code attention4j demo} in process and reads back the grids it prints. */
class DemoCommandTest {

    @TempDir
    static Path out;
    private static CliRun run;

    @BeforeAll
    static void runDemo() {
        run = CliRun.of("demo", "--out", out.toString());
    }

    @Test
    void succeedsWithEveryCheckPassing() {
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err()).isEmpty();
        assertThat(run.out()).doesNotContain("FAILED").containsPattern("(\\d+) of \\1 checks passed");
    }

    @Test
    void printsFiveSectionsInOrderThenTheWholeModel() {
        List<String> titles = run.outLines().stream().filter(l -> l.matches("\\[(\\d/5|\\+)] .*")).toList();
        assertThat(titles).hasSize(6);
        assertThat(titles.get(0)).startsWith("[1/5] Scaled dot-product attention");
        assertThat(titles.get(1)).startsWith("[2/5] Self-attention");
        assertThat(titles.get(2)).startsWith("[3/5] Multi-head attention");
        assertThat(titles.get(3)).startsWith("[4/5] Cross-attention");
        assertThat(titles.get(4)).startsWith("[5/5] Masked (causal) self-attention");
        assertThat(titles.get(5)).startsWith("[+] ");
        assertThat(run.outLines().size()).isLessThan(170);
    }

    @Test
    void translatesWithTheBuiltInModelAndShowsWhereItLooked() {
        List<String> lines = run.outLines();
        int chapter = lines.indexOf(lines.stream().filter(l -> l.startsWith("[Translate] ")).findFirst()
                .orElseThrow());
        int rag = lines.indexOf(lines.stream().filter(l -> l.startsWith("[RAG] ")).findFirst().orElseThrow());
        assertThat(chapter).isLessThan(rag);
        List<String> translations = lines.subList(chapter, rag).stream().filter(l -> l.contains("  ->  ")).toList();
        assertThat(translations).hasSize(TranslationDemo.NUMBERS.length);
        for (int i = 0; i < translations.size(); i++) {
            long n = TranslationDemo.NUMBERS[i];
            assertThat(translations.get(i).strip()).isEqualTo(NumberWords.english(n) + "  ->  "
                    + NumberWords.chinese(n));
        }
        assertThat(run.out()).contains("check: the translations are the numbers' Chinese numerals: ok")
                .contains("check: the alignment recomputed without caches equals what the cached steps attended to"
                        + " (1e-5): ok")
                .contains("output\\source");
    }

    @Test
    void writesTheExplorerPagesAndTheAlignmentHeatmapAndPrintsTheirPaths() throws Exception {
        for (String name : List.of(ExplorerDemo.TRANSLATIONS, ExplorerDemo.ALIGNMENT, ExplorerDemo.ENCODER)) {
            Path file = out.resolve(name);
            assertThat(file).isNotEmptyFile();
            assertThat(run.out()).contains("  wrote " + file.toAbsolutePath());
        }
        assertThat(Files.readString(out.resolve(ExplorerDemo.TRANSLATIONS))).contains("二千零五", "three hundred");
        assertThat(Files.readString(out.resolve(ExplorerDemo.ENCODER))).contains(RetrievalDemo.QUERIES.get(0));
        assertThat(javax.imageio.ImageIO.read(out.resolve(ExplorerDemo.ALIGNMENT).toFile()).getWidth()).isPositive();
        List<String> lines = run.outLines();
        int explorer = lines.indexOf(lines.stream().filter(l -> l.startsWith("[Explorer] ")).findFirst()
                .orElseThrow());
        int rag = lines.indexOf(lines.stream().filter(l -> l.startsWith("[RAG] ")).findFirst().orElseThrow());
        assertThat(explorer).isGreaterThan(rag);
    }

    @Test
    void retrievesWithThePretrainedEncoder() {
        List<String> lines = run.outLines();
        int chapter = lines.indexOf(lines.stream().filter(l -> l.startsWith("[RAG] Retrieval")).findFirst()
                .orElseThrow());
        assertThat(chapter).isGreaterThan(lines.indexOf(lines.stream().filter(l -> l.startsWith("[+] "))
                .findFirst().orElseThrow()));
        List<String> queries = lines.subList(chapter, lines.size()).stream().filter(l -> l.startsWith("  query: "))
                .toList();
        assertThat(queries).hasSize(3);
        assertThat(run.out()).contains("all-MiniLM-L6-v2")
                .contains("check: each question's best passage is the one written to answer it: ok")
                .contains("    1. ", "    2. ", "    3. ")
                .containsPattern("1\\. 0\\.\\d{3}  \\[11] Mount Everest");
    }

    @Test
    void everyGridRowSumsToOne() {
        List<Grid> grids = grids(run.outLines());
        assertThat(grids).hasSize(6); // [1], [2], [3] x 2 heads, [4], [5]
        for (Grid g : grids) {
            for (int i = 0; i < g.rows(); i++) {
                double sum = Arrays.stream(g.cells().get(i)).mapToDouble(DemoCommandTest::value).sum();
                // each printed cell is rounded to 2 decimals: the sum may be off by half a unit per cell
                assertThat(Math.abs(sum - 1)).as("row %s of %s", g.rowLabels().get(i), g.section())
                        .isLessThanOrEqualTo(0.005 * g.columns().size() + 1e-9);
            }
        }
    }

    @Test
    void theCausalGridIsExactlyZeroAboveTheDiagonalAndNonZeroOnAndBelow() {
        Grid causal = grids(run.outLines()).stream().filter(g -> g.section().startsWith("[5/5]")).findFirst()
                .orElseThrow();
        assertThat(causal.rowLabels()).containsExactly("猫", "坐", "在", "垫子", "上");
        assertThat(causal.columns()).containsExactly("猫", "坐", "在", "垫子", "上");
        for (int i = 0; i < causal.rows(); i++) {
            for (int j = 0; j < causal.columns().size(); j++) {
                String cell = causal.cells().get(i)[j];
                if (j > i) {
                    assertThat(cell).as("(%d, %d) above the diagonal", i, j).isEqualTo("0");
                } else {
                    assertThat(cell).as("(%d, %d) on or below the diagonal", i, j).isNotEqualTo("0");
                }
            }
        }
        assertThat(causal.cells().get(0)[0]).isEqualTo("1.00");
    }

    @Test
    void crossAttentionHasOneRowPerTargetTokenAndOneColumnPerSourceToken() {
        Grid cross = grids(run.outLines()).stream().filter(g -> g.section().startsWith("[4/5]")).findFirst()
                .orElseThrow();
        assertThat(cross.rowLabels()).containsExactly("猫", "坐", "在", "垫子", "上");
        assertThat(cross.columns()).containsExactly("the", "cat", "sat", "on", "the", "mat");
        assertThat(run.out()).contains("output [1, 5, 8], weights [1, 1, 5, 6]");
        assertThat(run.out()).contains("猫 -> cat").contains("垫子 -> mat");
    }

    @Test
    void showsShapesAndTheTransformerRun() {
        assertThat(run.out())
                .contains("Q [1, 6, 8]  K [1, 6, 8]  V [1, 6, 8] -> output [1, 6, 8], weights [1, 6, 6]")
                .contains("weights [1, 2, 6, 6]")
                .contains("memory [1, 6, 64]")
                .contains("logits [1, 6, 8]")
                .containsPattern("parameters: [\\d,]+ \\(");
    }

    @Test
    void outputIsTheSameAtAnyThreadCount() {
        int before = Parallel.threads();
        try {
            CliRun one = CliRun.of("--threads", "1", "demo", "--out", out.toString());
            CliRun three = CliRun.of("demo", "--threads", "3", "--out", out.toString());
            assertThat(one.exitCode()).isZero();
            assertThat(three.out()).isEqualTo(one.out()).isEqualTo(run.out());
        } finally {
            Parallel.setThreads(before);
        }
    }

    // --- reading the grids back ---------------------------------------------------------------------------------

    record Grid(String section, List<String> columns, List<String> rowLabels, List<String[]> cells) {
        int rows() {
            return rowLabels.size();
        }
    }

    /** Every grid: a header line {@code query\key <col>...}, then rows {@code <label> <cell>... |<shade>|}. */
    static List<Grid> grids(List<String> lines) {
        List<Grid> grids = new ArrayList<>();
        String section = "";
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n);
            if (line.startsWith("[")) {
                section = line;
            }
            String trimmed = line.trim();
            if (!trimmed.startsWith("query\\key")) {
                continue;
            }
            List<String> columns = List.of(trimmed.split("\\s+")).subList(1, trimmed.split("\\s+").length);
            List<String> labels = new ArrayList<>();
            List<String[]> cells = new ArrayList<>();
            for (int r = n + 1; r < lines.size() && lines.get(r).endsWith("|"); r++) {
                String row = lines.get(r);
                String[] fields = row.substring(0, row.indexOf('|')).trim().split("\\s+");
                assertThat(fields).as("grid row %s", row).hasSize(columns.size() + 1);
                labels.add(fields[0]);
                cells.add(Arrays.copyOfRange(fields, 1, fields.length));
                String shade = row.substring(row.indexOf('|') + 1, row.length() - 1);
                assertThat(shade).as("shade of %s", row).hasSize(columns.size());
            }
            grids.add(new Grid(section, columns, labels, cells));
        }
        return grids;
    }

    private static double value(String cell) {
        return Double.parseDouble(cell);
    }
}
