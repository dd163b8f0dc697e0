package dev.attention4j.kernels;

import java.lang.reflect.InvocationTargetException;
import java.util.Locale;

/**
 * Chooses the {@link Kernels} implementation once per JVM and says why.
 *
 * <p>System property {@code attention4j.kernels}: {@code auto} (default) uses the Vector API twin when the
 * {@code jdk.incubator.vector} module is present (run with {@code --add-modules jdk.incubator.vector}) and its
 * preferred species has at least 4 float lanes; {@code scalar} forces the reference kernels; {@code vector} asks for
 * the twin and falls back to scalar, with the reason, if it cannot load. The species is chosen by
 * {@code attention4j.vector.species} ({@code preferred}, {@code 128}, {@code 256} or {@code 512}; see VectorKernels).
 * The choice is never fatal: without the module the library runs its scalar kernels, correctly.
 */
public final class KernelChoice {

    /** What was chosen and why, for {@code attention4j info} and bug reports. */
    public record Report(String implementation, String species, boolean vectorApiInUse, String reason) {
    }

    private static final String VECTOR_CLASS = "dev.attention4j.kernels.VectorKernels";
    private static final Holder HOLDER = choose();

    private record Holder(Kernels kernels, Report report) {
    }

    private KernelChoice() {
    }

    /** The implementation in use. */
    public static Kernels active() {
        return HOLDER.kernels;
    }

    /** What was chosen and why. */
    public static Report report() {
        return HOLDER.report;
    }

    /** True when the {@code jdk.incubator.vector} module is in the boot layer of this JVM. */
    public static boolean vectorModulePresent() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    /**
     * Loads the Vector API twin, or returns null with the reason in {@code why[0]}. Exposed for tests that compare
     * the twins in one JVM whatever the default choice is.
     */
    public static Kernels loadVectorKernels(String[] why) {
        if (!vectorModulePresent()) {
            why[0] = "the jdk.incubator.vector module is not in this JVM (start java with --add-modules jdk.incubator.vector)";
            return null;
        }
        try {
            Kernels kernels = (Kernels) Class.forName(VECTOR_CLASS).getDeclaredConstructor().newInstance();
            why[0] = "jdk.incubator.vector is present";
            return kernels;
        } catch (InvocationTargetException e) { // the constructor refused, e.g. an unusable species
            why[0] = "the Vector API twin failed to load: " + e.getCause();
            return null;
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            why[0] = "the Vector API twin failed to load: " + e;
            return null;
        }
    }

    private static Holder choose() {
        String mode = System.getProperty("attention4j.kernels", "auto").trim().toLowerCase(Locale.ROOT);
        ScalarKernels scalar = ScalarKernels.INSTANCE;
        switch (mode) {
            case "scalar":
                return new Holder(scalar, new Report(scalar.name(), scalar.species(), false, "forced by -Dattention4j.kernels=scalar"));
            case "auto":
            case "vector":
                String[] why = new String[1];
                Kernels vector = loadVectorKernels(why);
                if (vector == null) {
                    return new Holder(scalar, new Report(scalar.name(), scalar.species(), false, why[0]));
                }
                return new Holder(vector, new Report(vector.name(), vector.species(), true, why[0]
                        + (mode.equals("vector") ? " (asked for by -Dattention4j.kernels=vector)" : "")));
            default:
                return new Holder(scalar, new Report(scalar.name(), scalar.species(), false,
                        "unknown -Dattention4j.kernels=" + mode + " (expected auto, scalar or vector); using scalar"));
        }
    }
}
