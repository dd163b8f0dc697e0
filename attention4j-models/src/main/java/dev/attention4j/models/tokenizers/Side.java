package dev.attention4j.models.tokenizers;

/** Which end of a sequence truncation cuts from, or padding adds to. */
public enum Side {
    /** The start: truncation keeps the last tokens, padding goes before the tokens. */
    LEFT,
    /** The end: truncation keeps the first tokens, padding goes after them (BERT's choice). */
    RIGHT
}
