package dev.attention4j.cli;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DisplayWidthTest {

    @Test
    void cjkTakesTwoColumnsLatinOneCombiningMarksNone() {
        assertThat(DisplayWidth.of("the")).isEqualTo(3);
        assertThat(DisplayWidth.of("垫子")).isEqualTo(4);
        assertThat(DisplayWidth.of("猫 cat")).isEqualTo(6);
        assertThat(DisplayWidth.of("ｶ")).isEqualTo(1); // halfwidth katakana
        assertThat(DisplayWidth.of("Ａ")).isEqualTo(2); // fullwidth A
        assertThat(DisplayWidth.of("e\u0301")).isEqualTo(1); // e + combining acute
        assertThat(DisplayWidth.of(new String(Character.toChars(0x20BB7)))).isEqualTo(2); // CJK extension B
    }

    @Test
    void paddingCountsColumnsNotChars() {
        assertThat(DisplayWidth.padLeft("垫子", 6)).isEqualTo("  垫子");
        assertThat(DisplayWidth.padRight("猫", 4)).isEqualTo("猫  ");
        assertThat(DisplayWidth.padLeft("toolong", 3)).isEqualTo("toolong");
    }
}
