#!/usr/bin/env python3
"""PyTorch's side of `attention4j bench attention`: nn.MultiheadAttention(batch_first=True) self-attention on the
same shapes, masks and thread count that attention4j times. Prints one JSON object: {"torch": ..., "results":
[{n, mask, pass, ms, extra_bytes}, ...]} with the median time per call after warm-up and the peak resident memory
one call adds (VmHWM after the call minus VmRSS before it, the peak reset through /proc/self/clear_refs).

Masks: "none"; "causal", a bool attn_mask with True above the diagonal (True = blocked in nn.MultiheadAttention;
1.13 has no is_causal). Passes: "forward" under torch.no_grad() with need_weights=False; "backward", forward with
gradients on the input and the module's parameters, then out.backward(R) with a fixed random R.
"""
import argparse
import json

import torch

from rival_timing import timed


def vm(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    return -1


def peak_extra(fn):
    """Bytes of resident memory one call adds at its peak (-1 where /proc does not allow resetting the peak)."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        return -1
    before = vm("VmRSS")
    fn()
    return vm("VmHWM") - before


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--lengths", required=True)
    p.add_argument("--model-dim", type=int, default=512)
    p.add_argument("--heads", type=int, default=8)
    p.add_argument("--batch", type=int, default=1)
    p.add_argument("--masks", default="none,causal")
    p.add_argument("--passes", default="forward,backward")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--min-seconds", type=float, default=1.0)
    p.add_argument("--min-calls", type=int, default=3)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    results = []
    mha = torch.nn.MultiheadAttention(a.model_dim, a.heads, batch_first=True).eval()
    for n in [int(v) for v in a.lengths.split(",")]:
        x = torch.randn(a.batch, n, a.model_dim)
        r = torch.randn(a.batch, n, a.model_dim)
        for mask_name in a.masks.split(","):
            if mask_name == "none":
                mask = None
            elif mask_name == "causal":
                mask = torch.triu(torch.ones(n, n, dtype=torch.bool), diagonal=1)
            else:
                raise SystemExit("unknown mask " + mask_name)
            for pass_name in a.passes.split(","):
                if pass_name == "forward":
                    def fn():
                        with torch.no_grad():
                            mha(x, x, x, attn_mask=mask, need_weights=False)
                elif pass_name == "backward":
                    xg = x.clone().requires_grad_(True)

                    def fn():
                        mha.zero_grad(set_to_none=True)
                        xg.grad = None
                        out = mha(xg, xg, xg, attn_mask=mask, need_weights=False)[0]
                        out.backward(r)
                else:
                    raise SystemExit("unknown pass " + pass_name)
                ms = timed(fn, a.warmup, a.min_seconds, a.min_calls)
                extra = peak_extra(fn)
                results.append({"n": n, "mask": mask_name, "pass": pass_name, "ms": ms, "extra_bytes": extra})
    print(json.dumps({"torch": torch.__version__, "results": results}))


if __name__ == "__main__":
    main()
