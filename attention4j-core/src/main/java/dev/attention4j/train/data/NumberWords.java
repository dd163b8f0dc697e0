package dev.attention4j.train.data;

/**
 * Integers in {@code [0, 99 999 999]} written as words: British English and Chinese numerals. Used by
 * {@link Tasks#numbers}.
 */
public final class NumberWords {

    /** The largest number both writers accept: {@code 10^8 - 1} (Chinese needs 亿 from {@code 10^8} on). */
    public static final long MAX = 99_999_999L;

    private static final String[] ONES = {"zero", "one", "two", "three", "four", "five", "six", "seven", "eight",
        "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
        "nineteen"};
    private static final String[] TENS = {"", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty",
        "ninety"};
    private static final char[] DIGITS = {'零', '一', '二', '三', '四', '五', '六', '七', '八', '九'};
    private static final String[] UNITS = {"", "十", "百", "千"}; // by position within a 4-digit section

    private NumberWords() {
    }

    /**
     * Lower-case British English: {@code "zero"}, {@code "twenty-one"}, {@code "one hundred and one"},
     * {@code "two thousand and five"}, {@code "three million two hundred thousand and seven"}. "and" joins the
     * hundreds to the rest within a group of three digits, and joins the last group to the rest when it is below a
     * hundred and a higher group is non-zero; nowhere else ({@code 1 005 000 = "one million five thousand"}).
     */
    public static String english(long n) {
        check(n);
        if (n == 0) {
            return "zero";
        }
        int millions = (int) (n / 1_000_000);
        int thousands = (int) (n / 1_000 % 1_000);
        int units = (int) (n % 1_000);
        StringBuilder sb = new StringBuilder();
        if (millions > 0) {
            sb.append(belowThousand(millions)).append(" million");
        }
        if (thousands > 0) {
            sb.append(sb.isEmpty() ? "" : " ").append(belowThousand(thousands)).append(" thousand");
        }
        if (units > 0) {
            if (!sb.isEmpty()) {
                sb.append(units < 100 ? " and " : " ");
            }
            sb.append(belowThousand(units));
        }
        return sb.toString();
    }

    private static String belowThousand(int n) { // 1..999
        int hundreds = n / 100;
        int rest = n % 100;
        if (hundreds == 0) {
            return belowHundred(rest);
        }
        String head = ONES[hundreds] + " hundred";
        return rest == 0 ? head : head + " and " + belowHundred(rest);
    }

    private static String belowHundred(int n) { // 1..99
        if (n < 20) {
            return ONES[n];
        }
        return n % 10 == 0 ? TENS[n / 10] : TENS[n / 10] + "-" + ONES[n % 10];
    }

    /**
     * Chinese numerals (小写, 二 rather than 两, no 亿): {@code 零}, {@code 十五}, {@code 一百一十}, {@code 一千零一十},
     * {@code 十万零一十}, {@code 二千万零五}. A leading 一十 is written 十 (10..19, 100 000..199 999). Zeros follow the
     * school rule (每节末尾的零不读): zeros closing a 4-digit section are not read, and every other run of zeros
     * between two non-zero digits is read as one 零. So {@code 101 000 = 十万一千} and {@code 1 001 000 = 一百万一千}
     * (the zeros end the 万 section), but {@code 100 010 = 十万零一十} (they open the lower section).
     */
    public static String chinese(long n) {
        check(n);
        if (n == 0) {
            return "零";
        }
        StringBuilder sb = new StringBuilder();
        boolean started = false;
        boolean zeroPending = false;
        for (int position = 7; position >= 0; position--) {
            int digit = (int) (n / pow10(position) % 10);
            if (digit == 0) {
                zeroPending = started;
            } else {
                if (zeroPending) {
                    sb.append('零');
                    zeroPending = false;
                }
                boolean leadingTen = !started && digit == 1 && position % 4 == 1;
                if (!leadingTen) {
                    sb.append(DIGITS[digit]);
                }
                sb.append(UNITS[position % 4]);
                started = true;
            }
            if (position == 4 && n >= 10_000) {
                sb.append('万');
                zeroPending = false; // zeros closing the 万 section are not read (每节末尾的零不读)
            }
        }
        return sb.toString();
    }

    private static long pow10(int e) {
        long p = 1;
        for (int i = 0; i < e; i++) {
            p *= 10;
        }
        return p;
    }

    private static void check(long n) {
        if (n < 0 || n > MAX) {
            throw new IllegalArgumentException("n: expected a number in [0, " + MAX + "] but got " + n);
        }
    }
}
