package dev.attention4j.viz;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SvgCanvasTest {

    @Test
    void numbersHaveAtMostTwoDecimalsAndNoExponentOrLocaleComma() {
        assertThat(SvgCanvas.num(12)).isEqualTo("12");
        assertThat(SvgCanvas.num(12.5)).isEqualTo("12.5");
        assertThat(SvgCanvas.num(0.126)).isEqualTo("0.13");
        assertThat(SvgCanvas.num(-0.001)).isEqualTo("0");
        assertThat(SvgCanvas.num(1e-7)).isEqualTo("0");
        assertThat(SvgCanvas.num(-3.5)).isEqualTo("-3.5");
    }

    @Test
    void escapeKeepsTextAndReplacesWhatXmlForbids() {
        assertThat(SvgCanvas.escape("a<b & 'c' \"d\">")).isEqualTo("a&lt;b &amp; &apos;c&apos; &quot;d&quot;&gt;");
        assertThat(SvgCanvas.escape("损失 \uD83D\uDE00")).isEqualTo("损失 \uD83D\uDE00");
        assertThat(SvgCanvas.escape("x\u0000y\uD800")).isEqualTo("x\uFFFDy\uFFFD");
    }
}
