package dev.attention4j.cli;

import dev.attention4j.viz.explorer.CrossAttentionView;
import dev.attention4j.viz.explorer.ExplorerDocument;
import dev.attention4j.viz.explorer.SelfAttentionView;

import java.util.List;

/**
 * The explorer pages the CLI writes ({@code explain}, {@code translate --explain}, the demo): recorded attention
 * turned into {@link ExplorerDocument} views, each head's entropy the library's normalised one ({@link HeadMaps}).
 */
final class ExplorerPages {

    private ExplorerPages() {
    }

    /** One encoder's self-attention over one text. */
    static ExplorerDocument encoder(String modelName, String text, EncoderAttention attention) {
        return ExplorerDocument.builder(modelName + ": " + text)
                .add(SelfAttentionView.of("Self-attention (" + modelName + ")", attention.tokens(),
                        attention.self().weights(), attention.self().entropy()))
                .build();
    }

    /**
     * Translations, three views each: the cross-attention alignment (output tokens x source tokens), the encoder's
     * self-attention and the decoder's masked self-attention (labelled by the tokens the decoder was fed).
     *
     * @param inputs  the texts translated, in the order of {@code attention}
     * @param outputs their translations
     */
    static ExplorerDocument translations(String title, List<String> inputs, List<String> outputs,
                                         List<TranslationAttention> attention) {
        if (inputs.size() != attention.size() || outputs.size() != attention.size()) {
            throw new IllegalArgumentException("expected as many inputs and outputs as recorded translations ("
                    + attention.size() + ") but got " + inputs.size() + " and " + outputs.size());
        }
        ExplorerDocument.Builder page = ExplorerDocument.builder(title);
        for (int i = 0; i < attention.size(); i++) {
            TranslationAttention a = attention.get(i);
            String what = inputs.get(i) + " → " + outputs.get(i);
            page.add(CrossAttentionView.of(what + ": cross-attention", a.source(), a.produced(),
                    a.cross().weights(), a.cross().entropy()));
            page.add(SelfAttentionView.of(what + ": encoder self-attention", a.source(), a.encoderSelf().weights(),
                    a.encoderSelf().entropy()));
            page.add(SelfAttentionView.of(what + ": decoder masked self-attention", a.fed(),
                    a.decoderSelf().weights(), a.decoderSelf().entropy()));
        }
        return page.build();
    }
}
