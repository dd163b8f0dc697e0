package dev.attention4j.train.data;

import java.util.List;

/** A training set and a held-out validation set that share no source text; see {@link Tasks#split}. */
public record Split(List<Example> train, List<Example> valid) {

    public Split {
        train = List.copyOf(train);
        valid = List.copyOf(valid);
    }
}
