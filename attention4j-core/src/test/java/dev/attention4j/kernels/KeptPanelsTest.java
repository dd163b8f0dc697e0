package dev.attention4j.kernels;

import dev.attention4j.tensor.PanelWeight;
import dev.attention4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link KeptPanels}: the sizes Linux writes for caches, the highest-level data or unified cache found in a
 * {@code sysfs}-like tree (instruction caches and unreadable entries passed over), the "outgrow" rule at its edge, and
 * the count of kept bytes growing by exactly the packed copy a {@link PanelWeight} makes.
 */
class KeptPanelsTest {

    @Test
    void readsCacheSizesAsLinuxWritesThem() {
        assertThat(KeptPanels.parseSize("32768K")).isEqualTo(32L << 20);
        assertThat(KeptPanels.parseSize(" 48K\n")).isEqualTo(48L << 10);
        assertThat(KeptPanels.parseSize("32M")).isEqualTo(32L << 20);
        assertThat(KeptPanels.parseSize("1G")).isEqualTo(1L << 30);
        assertThat(KeptPanels.parseSize("1048576")).isEqualTo(1L << 20);
        for (String bad : new String[] {"", "K", "-1K", "12.5M", "32 M", "0", "99999999999999M", "abc"}) {
            assertThat(KeptPanels.parseSize(bad)).as(bad).isEqualTo(-1);
        }
    }

    @Test
    void takesTheHighestLevelDataOrUnifiedCache(@TempDir Path dir) throws IOException {
        cache(dir, 0, "1", "Data", "48K");
        cache(dir, 1, "1", "Instruction", "32K");
        cache(dir, 2, "2", "Unified", "1024K");
        cache(dir, 3, "3", "Unified", "32768K");
        cache(dir, 4, "4", "Instruction", "999M"); // an instruction cache never counts
        cache(dir, 5, "x", "Unified", "64M");      // unreadable level: passed over
        assertThat(KeptPanels.fromSysfs(dir)).isEqualTo(32L << 20);
        assertThat(KeptPanels.fromSysfs(dir.resolve("absent"))).isEqualTo(-1);
    }

    @Test
    void weightsOutgrowTheCachePastHalfOfIt() {
        long cache = 32L << 20;
        assertThat(KeptPanels.outgrow(cache / 2, cache)).isFalse();
        assertThat(KeptPanels.outgrow(cache / 2 + 1, cache)).isTrue();
        assertThat(KeptPanels.outgrow(Long.MAX_VALUE, -1)).as("unknown cache: never").isFalse();
        assertThat(KeptPanels.outgrow(Long.MAX_VALUE, 0)).isFalse();
    }

    @Test
    void countsThePackedCopyAPanelWeightKeeps() {
        Tensor w = Tensor.randn(5, 70, 33); // 70 rows: three 32-row panels, the last one padded
        PanelWeight kept = new PanelWeight(w);
        long before = KeptPanels.madeBytes();
        float[] panels = kept.data(); // made here, at the first use
        assertThat(panels).hasSize(RowPanels.size(70, 33));
        assertThat(KeptPanels.madeBytes() - before).isEqualTo(4L * RowPanels.size(70, 33));
        assertThat(KeptPanels.keptBytes()).as("live copies, this one among them").isGreaterThanOrEqualTo(
                4L * RowPanels.size(70, 33));
        assertThat(kept.data()).as("the kept copy again").isSameAs(panels);
        assertThat(KeptPanels.madeBytes() - before).as("not counted twice").isEqualTo(4L * RowPanels.size(70, 33));
    }

    private static void cache(Path dir, int index, String level, String type, String size) throws IOException {
        Path d = Files.createDirectories(dir.resolve("index" + index));
        Files.writeString(d.resolve("level"), level + "\n");
        Files.writeString(d.resolve("type"), type + "\n");
        Files.writeString(d.resolve("size"), size + "\n");
    }
}
