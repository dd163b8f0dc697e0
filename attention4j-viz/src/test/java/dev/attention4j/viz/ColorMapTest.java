package dev.attention4j.viz;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

class ColorMapTest {

    @ParameterizedTest
    @EnumSource(ColorMap.class)
    void theEndsAreTheBottomAndTopColoursAndOutOfRangeValuesClamp(ColorMap map) {
        assertThat(map.rgb(0)).isEqualTo(map.bottom());
        assertThat(map.rgb(1)).isEqualTo(map.top());
        assertThat(map.rgb(-3)).isEqualTo(map.bottom());
        assertThat(map.rgb(Double.NaN)).isEqualTo(map.bottom());
        assertThat(map.rgb(7)).isEqualTo(map.top());
    }

    @Test
    void viridisRunsFromDarkPurpleToYellowThroughItsPublishedMiddle() {
        assertThat(ColorMap.VIRIDIS.bottom()).isEqualTo(0x440154);
        assertThat(ColorMap.VIRIDIS.top()).isEqualTo(0xfde725);
        assertThat(ColorMap.VIRIDIS.rgb(4 / 9.0)).isEqualTo(0x26828e);
        assertThat(ColorMap.VIRIDIS.rgb(1 / 9.0)).isEqualTo(0x482878);
        // halfway between two control points is their average, channel by channel (to rounding)
        int mid = ColorMap.VIRIDIS.rgb(0.5 / 9);
        assertThat((mid >> 16) & 0xff).isEqualTo(0x46);
        assertThat((mid >> 8) & 0xff).isBetween(0x14, 0x15);
        assertThat(mid & 0xff).isEqualTo(0x66);
    }

    @ParameterizedTest
    @EnumSource(ColorMap.class)
    void lightnessChangesMonotonicallySoHigherWeightsNeverLookLower(ColorMap map) {
        double previous = luminance(map.rgb(0));
        double sign = Math.signum(luminance(map.top()) - previous);
        for (int i = 1; i <= 200; i++) {
            double l = luminance(map.rgb(i / 200.0));
            assertThat((l - previous) * sign).as("step %d", i).isGreaterThanOrEqualTo(-1e-9);
            previous = l;
        }
    }

    /** Relative luminance (WCAG) of an sRGB colour. */
    private static double luminance(int rgb) {
        return 0.2126 * linear(rgb >> 16) + 0.7152 * linear(rgb >> 8) + 0.0722 * linear(rgb);
    }

    private static double linear(int channel) {
        double c = (channel & 0xff) / 255.0;
        return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    }
}
