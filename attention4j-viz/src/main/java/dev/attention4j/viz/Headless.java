package dev.attention4j.viz;

/**
 * Puts AWT in headless mode before the first AWT class of this package loads. Called from the static initialisers of
 * the renderers; a value the application chose ({@code -Djava.awt.headless=false}, say) is left alone, and even then
 * this package only draws into off-screen images and never opens a window.
 */
final class Headless {

    static final String PROPERTY = "java.awt.headless";

    private Headless() {
    }

    /** Sets {@code java.awt.headless=true} unless it is already set. Idempotent. */
    static void ensure() {
        if (System.getProperty(PROPERTY) == null) {
            System.setProperty(PROPERTY, "true");
        }
    }
}
