package dev.attention4j.cli;

import java.util.SplittableRandom;

/**
 * The seeds of a training run's random choices, drawn from its one {@code --seed} so that the choices are
 * independent of each other yet all fixed by it.
 *
 * @param data    a built-in task's examples
 * @param split   which sources are held out
 * @param model   the initial weights
 * @param batches the batches' composition and order
 * @param dropout the dropout masks
 */
record RunSeeds(long data, long split, long model, long batches, long dropout) {

    static RunSeeds of(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        return new RunSeeds(random.nextLong(), random.nextLong(), random.nextLong(), random.nextLong(),
                random.nextLong());
    }
}
