/**
 * Tokenizers of pretrained models, loaded from Hugging Face {@code tokenizer.json} files:
 * {@link dev.attention4j.models.tokenizers.PretrainedTokenizer} turns text (or a pair of texts) into the
 * {@link dev.attention4j.models.tokenizers.Encoding} a model reads, with the same token ids as the HF
 * {@code tokenizers} library.
 *
 * <p>The pipeline is HF's: added tokens (special tokens matched in the raw text first) -&gt;
 * {@link dev.attention4j.models.tokenizers.Normalizer} -&gt; {@link dev.attention4j.models.tokenizers.PreTokenizer}
 * -&gt; {@link dev.attention4j.models.tokenizers.TokenizerModel} -&gt; truncation -&gt;
 * {@link dev.attention4j.models.tokenizers.PostProcessor} -&gt; padding. Each stage is a closed (sealed) family of
 * immutable records that describe the stage; the code that runs them is package-private and switches over them
 * exhaustively, so adding a family member (byte-level BPE, Unigram, ...) is one record plus one switch arm each.
 * Today the WordPiece/BERT family is supported; a file naming any other component is refused with a
 * {@link dev.attention4j.models.tokenizers.TokenizerFormatException}, never run approximately.
 *
 * <p>Text positions: HF counts Unicode code points; Java strings are UTF-16. Inside, text is handled as code
 * points (a surrogate pair is one character); offsets in an {@code Encoding} are UTF-16 indices into the Java
 * string given, so {@code text.substring(start, end)} is the token's source text.
 *
 * <p>Not to be confused with {@code dev.attention4j.train.data.Tokenizer}, the small trainable tokenizers of the
 * toy training tasks: this package only runs tokenizers that were trained elsewhere.
 *
 * <p>Dims: {@code seqLen} = tokens in one encoding, special and padding tokens included.
 *
 * <p>May import: {@code dev.attention4j.models.formats}, Jackson and the JDK only (no {@code nn}, {@code train},
 * {@code tensor}).
 */
package dev.attention4j.models.tokenizers;
