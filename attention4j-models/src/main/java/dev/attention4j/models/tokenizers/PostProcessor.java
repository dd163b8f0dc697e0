package dev.attention4j.models.tokenizers;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The last stage before padding: adds the special tokens a model expects around its input ([CLS] A [SEP] for one
 * text, [CLS] A [SEP] B [SEP] for a pair in BERT) and sets the token type ids. A closed family named after HF's
 * {@code post_processor.type}.
 */
public sealed interface PostProcessor {

    /** This processor as a template (every member can be written as one). */
    TemplateProcessing asTemplate();

    /**
     * BERT's fixed layout: {@code cls A sep} with type ids 0, and for a pair {@code cls A sep B sep} with B and its
     * {@code sep} of type id 1.
     */
    record BertProcessing(SpecialToken cls, SpecialToken sep) implements PostProcessor {
        public BertProcessing {
            Objects.requireNonNull(cls, "cls");
            Objects.requireNonNull(sep, "sep");
        }

        @Override
        public TemplateProcessing asTemplate() {
            Piece c = new Piece.Special(cls.name(), 0);
            Piece s0 = new Piece.Special(sep.name(), 0);
            Piece s1 = new Piece.Special(sep.name(), 1);
            Piece a = new Piece.Sequence(Piece.FIRST, 0);
            Piece b = new Piece.Sequence(Piece.SECOND, 1);
            return new TemplateProcessing(List.of(c, a, s0), List.of(c, a, s0, b, s1),
                    Map.of(cls.name(), cls, sep.name(), sep));
        }
    }

    /**
     * HF's general form: a template for one text and one for a pair, made of the texts ({@link Piece.Sequence}
     * {@code A} and {@code B}) and special tokens, each with its type id.
     *
     * @param single        the layout of one text; holds {@code A} once
     * @param pair          the layout of a pair; holds {@code A} and {@code B} once each
     * @param specialTokens the special tokens the templates name, by name
     */
    record TemplateProcessing(List<Piece> single, List<Piece> pair, Map<String, SpecialToken> specialTokens)
            implements PostProcessor {

        public TemplateProcessing {
            single = List.copyOf(single);
            pair = List.copyOf(pair);
            specialTokens = Map.copyOf(specialTokens);
            requireSequences("single", single, List.of(Piece.FIRST));
            requireSequences("pair", pair, List.of(Piece.FIRST, Piece.SECOND));
            for (List<Piece> template : List.of(single, pair)) {
                for (Piece p : template) {
                    if (p instanceof Piece.Special s && !specialTokens.containsKey(s.name())) {
                        throw new IllegalArgumentException("template names special token '" + s.name()
                                + "' which is not in specialTokens " + specialTokens.keySet());
                    }
                }
            }
        }

        private static void requireSequences(String name, List<Piece> template, List<String> expected) {
            List<String> found = new ArrayList<>();
            for (Piece p : template) {
                if (p instanceof Piece.Sequence s) {
                    found.add(s.name());
                }
            }
            if (!found.equals(expected)) {
                throw new IllegalArgumentException("the " + name + " template must hold the sequences " + expected
                        + " in that order, each once, but holds " + found);
            }
        }

        @Override
        public TemplateProcessing asTemplate() {
            return this;
        }

        /** The number of special tokens the template for one text (or a pair) adds. */
        int addedTokens(boolean forPair) {
            int n = 0;
            for (Piece p : forPair ? pair : single) {
                if (p instanceof Piece.Special s) {
                    n += specialTokens.get(s.name()).ids().size();
                }
            }
            return n;
        }
    }

    /** One special token of a template: a name, and the ids and strings it stands for (usually one of each). */
    record SpecialToken(String name, List<Integer> ids, List<String> tokens) {
        public SpecialToken {
            Objects.requireNonNull(name, "name");
            ids = List.copyOf(ids);
            tokens = List.copyOf(tokens);
            if (ids.size() != tokens.size()) {
                throw new IllegalArgumentException("special token '" + name + "' has " + ids.size() + " ids but "
                        + tokens.size() + " tokens; they must pair up");
            }
        }

        /** A special token standing for one token. */
        public static SpecialToken of(String token, int id) {
            return new SpecialToken(token, List.of(id), List.of(token));
        }
    }

    /** One element of a template. */
    sealed interface Piece {
        /** The name of the first text in templates. */
        String FIRST = "A";
        /** The name of the second text. */
        String SECOND = "B";

        /** The type id its tokens get. */
        int typeId();

        /** A text: {@code A} or {@code B}. */
        record Sequence(String name, int typeId) implements Piece {
            public Sequence {
                if (!name.equals(FIRST) && !name.equals(SECOND)) {
                    throw new IllegalArgumentException("sequence name must be A or B, got " + name);
                }
                if (typeId < 0) {
                    throw new IllegalArgumentException("typeId must be >= 0, got " + typeId);
                }
            }
        }

        /** A special token, by its name in {@link TemplateProcessing#specialTokens}. */
        record Special(String name, int typeId) implements Piece {
            public Special {
                Objects.requireNonNull(name, "name");
                if (typeId < 0) {
                    throw new IllegalArgumentException("typeId must be >= 0, got " + typeId);
                }
            }
        }
    }
}
