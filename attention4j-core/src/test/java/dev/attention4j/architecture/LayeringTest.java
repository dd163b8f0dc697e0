package dev.attention4j.architecture;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Dependencies point down only (DESIGN.md): kernels <- tensor <- autograd <- nn <- {train, generate, inspect}.
 * Sibling packages never see each other (train never imports generate, and so on).
 * Read from the compiled classes' constant pools, so no import can hide.
 */
class LayeringTest {

    private static final String ROOT = "dev.attention4j.";

    /** For each package, the attention4j packages it may use (besides itself). */
    private static final Map<String, Set<String>> ALLOWED = Map.of(
            "kernels", Set.of(),
            "tensor", Set.of("kernels"),
            "autograd", Set.of("tensor", "kernels"),
            "nn", Set.of("autograd", "tensor", "kernels"),
            "nn.attention", Set.of("nn", "autograd", "tensor", "kernels"),
            "nn.transformer", Set.of("nn", "nn.attention", "autograd", "tensor", "kernels"),
            "generate", Set.of("nn", "nn.attention", "nn.transformer", "autograd", "tensor", "kernels"),
            "train", Set.of("train.data", "nn", "nn.attention", "nn.transformer", "autograd", "tensor", "kernels"),
            "train.data", Set.of(),
            "inspect", Set.of("nn", "nn.attention", "nn.transformer", "autograd", "tensor", "kernels"));

    private static final Pattern REFERENCE = Pattern.compile("dev/attention4j/([a-z0-9/]+)/[A-Z][A-Za-z0-9_$]*");

    @Test
    void packagesDependOnlyOnLowerLayers() throws IOException, URISyntaxException {
        Path classes = Path.of(dev.attention4j.tensor.Tensor.class.getProtectionDomain().getCodeSource().getLocation()
                .toURI());
        List<String> violations = new ArrayList<>();
        int checked = 0;
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                String rel = classes.relativize(file.getParent()).toString().replace('/', '.');
                String pkg = rel.substring(ROOT.length());
                Set<String> allowed = ALLOWED.get(pkg);
                assertThat(allowed).as("package %s has no layering rule: add it to LayeringTest", pkg).isNotNull();
                String pool = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
                Matcher m = REFERENCE.matcher(pool);
                while (m.find()) {
                    String used = m.group(1).replace('/', '.');
                    if (!used.equals(pkg) && !allowed.contains(used)) {
                        violations.add(file.getFileName() + " in " + pkg + " uses " + used);
                    }
                }
                checked++;
            }
        }
        assertThat(checked).as("class files checked").isGreaterThan(20);
        assertThat(violations).isEmpty();
    }
}
