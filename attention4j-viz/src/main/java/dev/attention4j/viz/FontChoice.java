package dev.attention4j.viz;

import java.awt.Font;
import java.awt.GraphicsEnvironment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The font family a PNG draws its text with, and the texts that family cannot display (they are drawn anyway and
 * show the font's missing-glyph boxes).
 *
 * <p>{@link #forTexts} keeps the preferred family when it displays every text ({@link Font#canDisplayUpTo} is
 * {@code -1}). Otherwise it searches the installed families — common CJK families first (Noto Sans CJK, Source Han
 * Sans, WenQuanYi, ...), then every family {@link GraphicsEnvironment} lists — for the first that displays them all;
 * when none does, it takes the family that displays the most texts (the preferred one on a tie) and lists the rest in
 * {@link #undisplayable()}. Choices are cached per preferred family and set of code points.
 *
 * @param family        the family to draw with
 * @param undisplayable the texts (distinct, in first-seen order) that {@code family} cannot display
 */
public record FontChoice(String family, List<String> undisplayable) {

    /** Families tried first: they cover Chinese, Japanese and Korean. */
    private static final List<String> CJK_FAMILIES = List.of("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC",
            "Source Han Sans CN", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Microsoft YaHei", "PingFang SC",
            "Hiragino Sans GB", "SimHei", "Droid Sans Fallback", "AR PL UMing CN", "Noto Sans CJK JP");
    private static final int MAX_CACHED = 256;
    private static final Map<String, String> CHOSEN = new ConcurrentHashMap<>();
    private static volatile List<String> installed;

    static {
        Headless.ensure();
    }

    public FontChoice {
        Objects.requireNonNull(family, "family");
        undisplayable = List.copyOf(undisplayable);
    }

    /** Whether {@link #family()} displays every text. */
    public boolean displaysAll() {
        return undisplayable.isEmpty();
    }

    /**
     * Chooses a family for {@code texts} as the class comment says.
     *
     * @param preferredFamily a family or logical font name ({@code "SansSerif"}, {@code "DejaVu Sans"}, ...)
     */
    public static FontChoice forTexts(String preferredFamily, Collection<String> texts) {
        Objects.requireNonNull(preferredFamily, "preferredFamily");
        Set<String> distinct = new LinkedHashSet<>(texts);
        List<String> missing = undisplayable(preferredFamily, distinct);
        if (missing.isEmpty()) {
            return new FontChoice(preferredFamily, List.of());
        }
        TreeSet<Integer> codePoints = new TreeSet<>();
        distinct.forEach(t -> t.codePoints().forEach(codePoints::add));
        StringBuilder key = new StringBuilder(preferredFamily).append('\u0000');
        codePoints.forEach(key::appendCodePoint);
        if (CHOSEN.size() >= MAX_CACHED) {
            CHOSEN.clear();
        }
        String family = CHOSEN.computeIfAbsent(key.toString(), k -> search(preferredFamily, distinct, missing.size()));
        return new FontChoice(family, family.equals(preferredFamily) ? missing : undisplayable(family, distinct));
    }

    private static String search(String preferred, Set<String> texts, int preferredMissing) {
        String best = preferred;
        int fewest = preferredMissing;
        Set<String> candidates = new LinkedHashSet<>();
        List<String> all = installedFamilies();
        CJK_FAMILIES.stream().filter(all::contains).forEach(candidates::add);
        candidates.addAll(all);
        for (String family : candidates) {
            int missing = undisplayable(family, texts).size();
            if (missing == 0) {
                return family;
            }
            if (missing < fewest) {
                fewest = missing;
                best = family;
            }
        }
        return best;
    }

    private static List<String> installedFamilies() {
        List<String> families = installed;
        if (families == null) {
            String[] names = GraphicsEnvironment.getLocalGraphicsEnvironment().getAvailableFontFamilyNames();
            families = List.copyOf(Arrays.asList(names));
            installed = families;
        }
        return families;
    }

    private static List<String> undisplayable(String family, Collection<String> texts) {
        Font font = new Font(family, Font.PLAIN, 12);
        List<String> missing = new ArrayList<>();
        for (String text : texts) {
            if (font.canDisplayUpTo(text) != -1) {
                missing.add(text);
            }
        }
        return missing;
    }
}
