package dev.attention4j.train.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Parallel corpora on disk. */
public final class ParallelCorpus {

    private ParallelCorpus() {
    }

    /**
     * Reads a UTF-8 file of lines {@code source<TAB>target}. Lines end with {@code \n} or {@code \r\n}; a
     * byte-order mark at the start is skipped; fields are kept as written (not trimmed).
     *
     * @throws DataFormatException naming the file and 1-based line if the file is empty, a line is blank, has no
     *                             tab or more than one, has a blank source or target, or is not valid UTF-8
     */
    public static List<Example> readTsv(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        int pos = hasBom(bytes) ? 3 : 0;
        if (pos == bytes.length) {
            throw new DataFormatException(file, 1, "empty file: expected lines 'source<TAB>target'");
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        List<Example> examples = new ArrayList<>();
        for (int lineNumber = 1; pos < bytes.length; lineNumber++) {
            int end = pos;
            while (end < bytes.length && bytes[end] != '\n') {
                end++;
            }
            int contentEnd = end > pos && bytes[end - 1] == '\r' ? end - 1 : end;
            String line = decodeLine(decoder, bytes, pos, contentEnd, file, lineNumber);
            examples.add(parse(line, file, lineNumber));
            pos = end + 1;
        }
        return examples;
    }

    private static boolean hasBom(byte[] bytes) {
        return bytes.length >= 3 && bytes[0] == (byte) 0xEF && bytes[1] == (byte) 0xBB && bytes[2] == (byte) 0xBF;
    }

    private static String decodeLine(CharsetDecoder decoder, byte[] bytes, int from, int to, Path file, int lineNumber)
            throws DataFormatException {
        ByteBuffer in = ByteBuffer.wrap(bytes, from, to - from);
        CharBuffer out = CharBuffer.allocate(to - from); // UTF-8 never yields more chars than bytes
        decoder.reset();
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            throw new DataFormatException(file, lineNumber, "invalid UTF-8 at byte offset " + in.position()
                    + " (" + result.length() + " bad byte" + (result.length() == 1 ? "" : "s")
                    + "): save the file as UTF-8");
        }
        return out.flip().toString();
    }

    private static Example parse(String line, Path file, int lineNumber) throws DataFormatException {
        if (line.isBlank() && line.indexOf('\t') < 0) {
            throw new DataFormatException(file, lineNumber, "blank line: blank lines are not allowed, every line "
                    + "must be 'source<TAB>target' (remove it)");
        }
        int tab = line.indexOf('\t');
        if (tab < 0) {
            throw new DataFormatException(file, lineNumber, "missing tab: expected 'source<TAB>target'");
        }
        if (line.indexOf('\t', tab + 1) >= 0) {
            long tabs = line.chars().filter(c -> c == '\t').count();
            throw new DataFormatException(file, lineNumber, "more than one tab (" + tabs + "): expected exactly one "
                    + "between source and target");
        }
        String source = line.substring(0, tab);
        String target = line.substring(tab + 1);
        if (source.isBlank()) {
            throw new DataFormatException(file, lineNumber, "empty source: the text before the tab is "
                    + (source.isEmpty() ? "empty" : "only whitespace"));
        }
        if (target.isBlank()) {
            throw new DataFormatException(file, lineNumber, "empty target: the text after the tab is "
                    + (target.isEmpty() ? "empty" : "only whitespace"));
        }
        return new Example(source, target);
    }
}
