package dev.attention4j.train;

import java.util.Objects;

/**
 * The hyper-parameters of {@link Adam} (and AdamW), named as in {@code torch.optim.Adam}.
 *
 * <p>Where PyTorch computes in double (the bias corrections {@code 1 - beta^t}, the step size), {@link Adam} widens
 * each float here to the double of its shortest decimal form ({@code 0.999f} becomes {@code 0.999}, not
 * {@code 0.99900001287}), which is the Python float a PyTorch user writes. This matters: {@code 1 - beta2^t} cancels,
 * so the float's rounding error would otherwise reach the first updates magnified a thousandfold.
 *
 * @param beta1       decay of the first-moment average, in {@code [0, 1)}
 * @param beta2       decay of the second-moment average, in {@code [0, 1)}
 * @param eps         added to the denominator after the square root, {@code >= 0}
 * @param weightDecay the weight-decay coefficient, {@code >= 0}; must be 0 when {@code mode} is NONE
 * @param mode        how weight decay is applied
 */
public record AdamConfig(float beta1, float beta2, float eps, float weightDecay, WeightDecay mode) {

    public AdamConfig {
        requireBeta("beta1", beta1);
        requireBeta("beta2", beta2);
        if (!(eps >= 0f) || Float.isInfinite(eps)) {
            throw new IllegalArgumentException("eps: expected a finite value >= 0 but got " + eps);
        }
        if (!(weightDecay >= 0f) || Float.isInfinite(weightDecay)) {
            throw new IllegalArgumentException("weightDecay: expected a finite value >= 0 but got " + weightDecay);
        }
        Objects.requireNonNull(mode, "mode");
        if (mode == WeightDecay.NONE && weightDecay != 0f) {
            throw new IllegalArgumentException("weightDecay: expected 0 with mode NONE but got " + weightDecay
                    + "; choose L2 (torch.optim.Adam) or DECOUPLED (torch.optim.AdamW)");
        }
    }

    private static void requireBeta(String name, float beta) {
        if (!(beta >= 0f && beta < 1f)) {
            throw new IllegalArgumentException(name + ": expected a value in [0, 1) but got " + beta);
        }
    }

    /** Vaswani et al., "Attention Is All You Need", section 5.3: betas 0.9 and 0.98, eps 1e-9, no weight decay. */
    public static AdamConfig paper() {
        return new AdamConfig(0.9f, 0.98f, 1e-9f, 0f, WeightDecay.NONE);
    }

    /** {@code torch.optim.Adam}'s defaults: betas 0.9 and 0.999, eps 1e-8, no weight decay. */
    public static AdamConfig pytorchAdam() {
        return new AdamConfig(0.9f, 0.999f, 1e-8f, 0f, WeightDecay.NONE);
    }

    /** {@code torch.optim.AdamW}'s defaults: betas 0.9 and 0.999, eps 1e-8, decoupled weight decay 0.01. */
    public static AdamConfig pytorchAdamW() {
        return new AdamConfig(0.9f, 0.999f, 1e-8f, 0.01f, WeightDecay.DECOUPLED);
    }
}
