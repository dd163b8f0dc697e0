package dev.attention4j.train.data;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NumberWordsTest {

    /**
     * The oracle: each row derived by hand from the rules, not by running the code. English: "and" after "hundred"
     * when something follows it in the group, and before a last group below 100 when a higher group is non-zero.
     * Chinese: a leading 一十 is 十; one 零 per run of zero digits between non-zero digits, except a run that closes
     * the 万 section (每节末尾的零不读); nothing for trailing zeros.
     */
    record Row(long n, String english, String chinese) {
    }

    static final List<Row> TABLE = List.of(
            new Row(0, "zero", "零"),
            new Row(7, "seven", "七"),
            new Row(10, "ten", "十"),
            new Row(11, "eleven", "十一"),
            new Row(14, "fourteen", "十四"),
            new Row(15, "fifteen", "十五"),
            new Row(19, "nineteen", "十九"),
            new Row(20, "twenty", "二十"),
            new Row(21, "twenty-one", "二十一"),
            new Row(40, "forty", "四十"),
            new Row(80, "eighty", "八十"),
            new Row(99, "ninety-nine", "九十九"),
            new Row(100, "one hundred", "一百"),
            new Row(101, "one hundred and one", "一百零一"),
            new Row(110, "one hundred and ten", "一百一十"),           // 一十 inside a number keeps its 一
            new Row(111, "one hundred and eleven", "一百一十一"),
            new Row(115, "one hundred and fifteen", "一百一十五"),
            new Row(513, "five hundred and thirteen", "五百一十三"),
            new Row(999, "nine hundred and ninety-nine", "九百九十九"),
            new Row(1000, "one thousand", "一千"),
            new Row(1001, "one thousand and one", "一千零一"),          // 百 and 十 zero: one 零
            new Row(1010, "one thousand and ten", "一千零一十"),
            new Row(1015, "one thousand and fifteen", "一千零一十五"),
            new Row(1100, "one thousand one hundred", "一千一百"),    // last group >= 100: no "and"
            new Row(2005, "two thousand and five", "二千零五"),         // 二, not 两
            new Row(10000, "ten thousand", "一万"),
            new Row(10001, "ten thousand and one", "一万零一"),
            new Row(10010, "ten thousand and ten", "一万零一十"),
            new Row(10100, "ten thousand one hundred", "一万零一百"),
            new Row(11000, "eleven thousand", "一万一千"),
            new Row(15000, "fifteen thousand", "一万五千"),
            new Row(70000, "seventy thousand", "七万"),
            new Row(100000, "one hundred thousand", "十万"),           // leading 一十 of the 万 section
            new Row(100010, "one hundred thousand and ten", "十万零一十"),
            new Row(100100, "one hundred thousand one hundred", "十万零一百"),
            new Row(101000, "one hundred and one thousand", "十万一千"), // the zero closing the 万 section is not read
            new Row(110000, "one hundred and ten thousand", "十一万"),
            new Row(110005, "one hundred and ten thousand and five", "十一万零五"),
            new Row(210000, "two hundred and ten thousand", "二十一万"),
            new Row(1000000, "one million", "一百万"),
            new Row(1000001, "one million and one", "一百万零一"),
            new Row(1000010, "one million and ten", "一百万零一十"),
            new Row(1000100, "one million one hundred", "一百万零一百"),  // one 零 across the 万 boundary
            new Row(1001000, "one million one thousand", "一百万一千"), // zeros closing the 万 section: silent
            new Row(1005000, "one million five thousand", "一百万五千"), // no "and" before a thousands group
            new Row(3200007, "three million two hundred thousand and seven", "三百二十万零七"),
            new Row(10000000, "ten million", "一千万"),
            new Row(10000010, "ten million and ten", "一千万零一十"),
            new Row(10010000, "ten million ten thousand", "一千零一万"),
            new Row(10100000, "ten million one hundred thousand", "一千零一十万"),
            new Row(12345678, "twelve million three hundred and forty-five thousand six hundred and seventy-eight",
                    "一千二百三十四万五千六百七十八"),
            new Row(19000000, "nineteen million", "一千九百万"),
            new Row(20000005, "twenty million and five", "二千万零五"),
            new Row(40050607, "forty million fifty thousand six hundred and seven", "四千零五万零六百零七"),
            new Row(60080000, "sixty million eighty thousand", "六千零八万"),
            new Row(99999999, "ninety-nine million nine hundred and ninety-nine thousand nine hundred and ninety-nine",
                    "九千九百九十九万九千九百九十九"));

    @Test
    void handCheckedTable() {
        List<String> wrong = new ArrayList<>();
        for (Row row : TABLE) {
            String english = NumberWords.english(row.n());
            String chinese = NumberWords.chinese(row.n());
            if (!english.equals(row.english())) {
                wrong.add(row.n() + ": english '" + english + "', expected '" + row.english() + "'");
            }
            if (!chinese.equals(row.chinese())) {
                wrong.add(row.n() + ": chinese '" + chinese + "', expected '" + row.chinese() + "'");
            }
        }
        assertThat(wrong).isEmpty();
    }

    @Test
    void theParsersReadTheTable() {
        for (Row row : TABLE) {
            assertThat(ChineseParser.parse(row.chinese())).as(row.chinese()).isEqualTo(row.n());
            assertThat(EnglishParser.parse(row.english())).as(row.english()).isEqualTo(row.n());
        }
    }

    /** 10^5 numbers, digit count uniform in 1..8 as in the task, through both writers and back. */
    @Test
    void writersAgreeWithIndependentParsers() {
        SplittableRandom random = new SplittableRandom(20240611L);
        for (int i = 0; i < 100_000; i++) {
            int digits = 1 + random.nextInt(8);
            long low = digits == 1 ? 0 : (long) Math.pow(10, digits - 1);
            long n = random.nextLong(low, (long) Math.pow(10, digits));
            String chinese = NumberWords.chinese(n);
            String english = NumberWords.english(n);
            assertThat(ChineseParser.parse(chinese)).as("%d -> %s", n, chinese).isEqualTo(n);
            assertThat(EnglishParser.parse(english)).as("%d -> %s", n, english).isEqualTo(n);
            assertThat(count(chinese, "零")).as("零 in %s for %d", chinese, n).isEqualTo(interiorZeroRuns(n));
            assertThat(chinese.startsWith("一十")).as(chinese).isFalse();
            assertThat(count(english, " and ")).as("'and' in %s for %d", english, n).isEqualTo(expectedAnds(n));
            assertThat(english).matches("[a-z]+([ -][a-z]+)*");
        }
    }

    @Test
    void outOfRangeIsRejected() {
        assertThatThrownBy(() -> NumberWords.chinese(100_000_000L)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("99999999").hasMessageContaining("100000000");
        assertThatThrownBy(() -> NumberWords.english(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * Runs of zero digits between the first and last non-zero digit, less a run whose last zero is the 万 digit (it
     * closes the 万 section): each counted run needs exactly one 零 ("零" for 0).
     */
    static int interiorZeroRuns(long n) {
        if (n == 0) {
            return 1;
        }
        String all = Long.toString(n);
        String digits = all.replaceAll("0+$", ""); // trailing zeros are not written
        int runs = 0;
        for (int i = 1; i < digits.length(); i++) {
            boolean runStart = digits.charAt(i) == '0' && digits.charAt(i - 1) != '0';
            if (runStart) {
                int end = i;
                while (digits.charAt(end + 1) == '0') {
                    end++;
                }
                boolean closesWanSection = all.length() - 1 - end == 4; // the run's last zero sits at 10^4
                if (!closesWanSection) {
                    runs++;
                }
            }
        }
        return runs;
    }

    /** "and" after each "hundred" with a remainder, and before a last group in 1..99 after a higher group. */
    static int expectedAnds(long n) {
        int ands = 0;
        for (long group : new long[] {n / 1_000_000, n / 1000 % 1000, n % 1000}) {
            if (group / 100 > 0 && group % 100 > 0) {
                ands++;
            }
        }
        long units = n % 1000;
        if (n >= 1000 && units > 0 && units < 100) {
            ands++;
        }
        return ands;
    }

    private static int count(String s, String part) {
        int count = 0;
        for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + part.length())) {
            count++;
        }
        return count;
    }

    /** Chinese numerals (below 亿) -> value, written independently of the converter: digit, then unit multiplies. */
    static final class ChineseParser {
        private static final String DIGITS = "零一二三四五六七八九";
        private static final Map<Character, Integer> UNITS = Map.of('十', 10, '百', 100, '千', 1000);

        static long parse(String s) {
            long total = 0;
            long section = 0; // below 万
            int pendingDigit = -1;
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                int d = DIGITS.indexOf(c);
                if (d == 0) {
                    if (s.equals("零")) {
                        return 0;
                    }
                    if (pendingDigit >= 0) {
                        throw new IllegalArgumentException("零 after a digit without its unit in " + s);
                    }
                } else if (d > 0) {
                    if (pendingDigit >= 0) {
                        throw new IllegalArgumentException("two digits in a row in " + s);
                    }
                    pendingDigit = d;
                } else if (UNITS.containsKey(c)) {
                    int digit = pendingDigit;
                    if (digit < 0) {
                        if (c != '十' || i != 0) {
                            throw new IllegalArgumentException("unit without a digit in " + s);
                        }
                        digit = 1;
                    }
                    section += (long) digit * UNITS.get(c);
                    pendingDigit = -1;
                } else if (c == '万') {
                    section += Math.max(pendingDigit, 0);
                    total += section * 10_000;
                    section = 0;
                    pendingDigit = -1;
                } else {
                    throw new IllegalArgumentException("unexpected character " + c + " in " + s);
                }
            }
            return total + section + Math.max(pendingDigit, 0);
        }
    }

    /** English number words -> value: words add, "hundred" multiplies, "thousand"/"million" close a group. */
    static final class EnglishParser {
        private static final List<String> SMALL = List.of("zero", "one", "two", "three", "four", "five", "six",
                "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
                "seventeen", "eighteen", "nineteen");
        private static final List<String> TENS = List.of("", "", "twenty", "thirty", "forty", "fifty", "sixty",
                "seventy", "eighty", "ninety");

        static long parse(String s) {
            long total = 0;
            long group = 0;
            for (String word : s.split(" ")) {
                switch (word) {
                    case "and" -> { }
                    case "hundred" -> group *= 100;
                    case "thousand" -> {
                        total += group * 1000;
                        group = 0;
                    }
                    case "million" -> {
                        total += group * 1_000_000;
                        group = 0;
                    }
                    default -> group += smallNumber(word, s);
                }
            }
            return total + group;
        }

        private static int smallNumber(String word, String s) {
            int hyphen = word.indexOf('-');
            if (hyphen >= 0) {
                int tens = TENS.indexOf(word.substring(0, hyphen));
                int ones = SMALL.indexOf(word.substring(hyphen + 1));
                if (tens < 2 || ones < 1 || ones > 9) {
                    throw new IllegalArgumentException("bad compound '" + word + "' in " + s);
                }
                return tens * 10 + ones;
            }
            int small = SMALL.indexOf(word);
            if (small >= 0) {
                return small;
            }
            int tens = TENS.indexOf(word);
            if (tens >= 2) {
                return tens * 10;
            }
            throw new IllegalArgumentException("unknown word '" + word + "' in " + s);
        }
    }
}
