package dev.attention4j.viz;

import org.junit.jupiter.api.Test;

import java.awt.Font;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Needs a CJK font installed (WenQuanYi Micro Hei here; scripts/ensure-test-deps installs it). */
class FontChoiceTest {

    private static final List<String> CJK = List.of("注意力", "机制", "cat");
    /** A private-use code point of plane 16: no font has a glyph for it. */
    private static final String NO_GLYPH = new String(Character.toChars(0x10FFFD));

    @Test
    void aFamilyThatDisplaysEveryTextIsKept() {
        FontChoice choice = FontChoice.forTexts("DejaVu Sans", List.of("the", "cat", "<&>"));
        assertThat(choice.family()).isEqualTo("DejaVu Sans");
        assertThat(choice.displaysAll()).isTrue();
    }

    @Test
    void aFamilyWithoutCjkGlyphsIsReplacedByAnInstalledOneThatHasThem() {
        assertThat(new Font("DejaVu Sans", Font.PLAIN, 12).canDisplayUpTo("注意力"))
                .as("DejaVu Sans has no CJK glyphs, so this test exercises the search").isZero();
        FontChoice choice = FontChoice.forTexts("DejaVu Sans", CJK);
        assertThat(choice.family()).isNotEqualTo("DejaVu Sans");
        assertThat(choice.displaysAll()).isTrue();
        Font font = new Font(choice.family(), Font.PLAIN, 12);
        for (String text : CJK) {
            assertThat(font.canDisplayUpTo(text)).as(text).isEqualTo(-1);
        }
        assertThat(FontChoice.forTexts("DejaVu Sans", CJK)).as("cached, same answer").isEqualTo(choice);
    }

    @Test
    void whenNoFontDisplaysATextTheBestFamilyIsKeptAndTheTextListed() {
        FontChoice choice = FontChoice.forTexts("DejaVu Sans", List.of("注意力", "x" + NO_GLYPH, "ok"));
        assertThat(choice.undisplayable()).containsExactly("x" + NO_GLYPH);
        assertThat(new Font(choice.family(), Font.PLAIN, 12).canDisplayUpTo("注意力")).isEqualTo(-1);
        assertThat(choice.displaysAll()).isFalse();
    }
}
