package dev.attention4j.train.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ParallelCorpusTest {

    @TempDir
    Path dir;

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    private Path write(String name, String text) throws IOException {
        return write(name, text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void readsLinesWithBomCrLfAndNoFinalNewline() throws IOException {
        byte[] text = "hello\t你好\r\ntwo words\t  两个 词 \nlast\tline".getBytes(StandardCharsets.UTF_8);
        byte[] withBom = new byte[text.length + 3];
        withBom[0] = (byte) 0xEF;
        withBom[1] = (byte) 0xBB;
        withBom[2] = (byte) 0xBF;
        System.arraycopy(text, 0, withBom, 3, text.length);
        assertThat(ParallelCorpus.readTsv(write("ok.tsv", withBom))).containsExactly(
                new Example("hello", "你好"), new Example("two words", "  两个 词 "), new Example("last", "line"));
        assertThat(ParallelCorpus.readTsv(write("newline.tsv", "a\tb\n"))).containsExactly(new Example("a", "b"));
    }

    @Test
    void eachProblemNamesFileLineAndWhat() throws IOException {
        expectError("empty.tsv", "", 1, "empty file");
        expectError("bom-only.tsv", "\uFEFF", 1, "empty file");
        expectError("notab.tsv", "a\tb\nno tab here\n", 2, "missing tab");
        expectError("tabs.tsv", "a\tb\nc\td\te\n", 2, "more than one tab (2)");
        expectError("nosource.tsv", "a\tb\n\tb\n", 2, "empty source");
        expectError("blanksource.tsv", "a\tb\nc\td\n  \tb\n", 3, "empty source");
        expectError("notarget.tsv", "a\t\n", 1, "empty target");
        expectError("blank.tsv", "a\tb\n\nc\td\n", 2, "blank line");
        expectError("blank-crlf.tsv", "a\tb\r\n\r\nc\td\r\n", 2, "blank line");
        expectError("spaces.tsv", "a\tb\n   \n", 2, "blank line");
    }

    @Test
    void invalidUtf8IsReportedWithItsOffset() throws IOException {
        byte[] prefix = "a\tb\nc\t".getBytes(StandardCharsets.UTF_8); // line 2 starts at byte 4; the bad byte is 6
        for (byte[] bad : new byte[][] {{(byte) 0xFF}, {(byte) 0xC0, (byte) 0x80}, {(byte) 0xED, (byte) 0xA0,
            (byte) 0x80}, {(byte) 0xE4, (byte) 0xBD}}) { // stray byte, overlong NUL, surrogate, truncated 你
            byte[] bytes = new byte[prefix.length + bad.length + 2];
            System.arraycopy(prefix, 0, bytes, 0, prefix.length);
            System.arraycopy(bad, 0, bytes, prefix.length, bad.length);
            bytes[bytes.length - 2] = 'x';
            bytes[bytes.length - 1] = '\n';
            Path file = write("bad.tsv", bytes);
            assertThatThrownBy(() -> ParallelCorpus.readTsv(file)).isInstanceOf(DataFormatException.class)
                    .hasMessageStartingWith(file + ":2: invalid UTF-8 at byte offset 6")
                    .satisfies(e -> assertThat(((DataFormatException) e).line()).isEqualTo(2));
        }
    }

    private void expectError(String name, String content, int line, String problem) throws IOException {
        Path file = write(name, content);
        assertThatThrownBy(() -> ParallelCorpus.readTsv(file)).as(name).isInstanceOf(DataFormatException.class)
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith(file + ":" + line + ": " + problem)
                .satisfies(e -> {
                    DataFormatException d = (DataFormatException) e;
                    assertThat(d.file()).isEqualTo(file);
                    assertThat(d.line()).isEqualTo(line);
                });
    }
}
