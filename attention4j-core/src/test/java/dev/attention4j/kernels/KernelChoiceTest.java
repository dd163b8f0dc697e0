package dev.attention4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The choice this JVM made. The build runs the suite twice: with {@code --add-modules jdk.incubator.vector} (the Vector
 * API twin must be in use) and without it, with {@code -Dattention4j.expectVector=absent} (the scalar kernels must be
 * in use and the report must say why).
 */
class KernelChoiceTest {

    private static boolean deliberatelyWithoutVectorModule() {
        return "absent".equals(System.getProperty("attention4j.expectVector"));
    }

    private static boolean scalarForced() {
        return "scalar".equals(System.getProperty("attention4j.kernels", "auto").trim());
    }

    @Test
    void withoutTheModuleTheScalarKernelsRunAndTheReportSaysWhy() {
        if (!deliberatelyWithoutVectorModule()) {
            return; // the other branch is the next test; each run checks the one that applies to it
        }
        assertFalse(KernelChoice.vectorModulePresent(), "-Dattention4j.expectVector=absent but the module is there");
        KernelChoice.Report report = KernelChoice.report();
        assertFalse(report.vectorApiInUse(), report.toString());
        assertEquals("scalar", report.implementation());
        assertTrue(report.reason().contains("jdk.incubator.vector"), "the reason names the module: " + report);
        assertSame(ScalarKernels.INSTANCE, KernelChoice.active());
        assertSame(KernelChoice.active(), Kernels.active());
        String[] why = new String[1];
        assertNull(KernelChoice.loadVectorKernels(why));
        assertTrue(why[0].contains("--add-modules jdk.incubator.vector"), "the reason says how to fix it: " + why[0]);
    }

    @Test
    void withTheModuleTheVectorKernelsRun() {
        if (deliberatelyWithoutVectorModule()) {
            return;
        }
        KernelChoice.Report report = KernelChoice.report();
        if (scalarForced()) {
            assertSame(ScalarKernels.INSTANCE, KernelChoice.active());
            assertTrue(report.reason().contains("forced"), report.toString());
            return;
        }
        assertTrue(KernelChoice.vectorModulePresent(), "jdk.incubator.vector is missing from this JVM; run with "
                + "--add-modules jdk.incubator.vector, or set -Dattention4j.expectVector=absent if that is deliberate");
        assertTrue(report.vectorApiInUse(), report.toString());
        assertEquals("dev.attention4j.kernels.VectorKernels", KernelChoice.active().getClass().getName(),
                report.toString());
        assertEquals(KernelChoice.active().name(), report.implementation());
        assertTrue(report.implementation().startsWith("vector(S_"), report.implementation());
        assertSame(KernelChoice.active(), Kernels.active());
    }
}
