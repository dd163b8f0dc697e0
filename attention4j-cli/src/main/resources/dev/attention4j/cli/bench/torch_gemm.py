#!/usr/bin/env python3
"""PyTorch's side of `attention4j bench gemm`: the same single-precision products attention4j times, on the same
shapes and thread counts. Prints one JSON object: {"torch": ..., "blas": ..., "results": [{op, m, k, n, threads,
ms}, ...]} with the median time per call after warm-up.

Ops: "matmul" c = a b with a (m, k), b (k, n); "linear" c = x W^T with x (m, k), W (n, k) (nn.Linear's layout);
"transA" c = a^T b with a (k, m), b (k, n). Run with Debian's /usr/bin/python3 (python3-torch); with
libopenblas0-openmp installed the products go to OpenBLAS sgemm.
"""
import argparse
import json

import torch

from rival_timing import blas_name, timed


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--shapes", required=True, help="m:k:n,m:k:n,...")
    p.add_argument("--ops", default="matmul,linear,transA")
    p.add_argument("--threads", default="1,2")
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--warmup-seconds", type=float, default=0.0)
    p.add_argument("--min-seconds", type=float, default=0.5)
    p.add_argument("--min-calls", type=int, default=5)
    p.add_argument("--max-calls", type=int, default=1000)
    a = p.parse_args()
    torch.manual_seed(0)
    results = []
    for threads in [int(t) for t in a.threads.split(",")]:
        torch.set_num_threads(threads)
        for shape in a.shapes.split(","):
            m, k, n = (int(v) for v in shape.split(":"))
            for op in a.ops.split(","):
                if op == "matmul":
                    x, y = torch.randn(m, k), torch.randn(k, n)
                    fn = lambda: torch.matmul(x, y)
                elif op == "linear":
                    x, y = torch.randn(m, k), torch.randn(n, k)
                    fn = lambda: torch.nn.functional.linear(x, y)
                elif op == "transA":
                    x, y = torch.randn(k, m), torch.randn(k, n)
                    fn = lambda: torch.matmul(x.t(), y)
                else:
                    raise SystemExit("unknown op " + op)
                with torch.no_grad():
                    ms = timed(fn, a.warmup, a.min_seconds, a.min_calls, a.max_calls, a.warmup_seconds)
                results.append({"op": op, "m": m, "k": k, "n": n, "threads": threads, "ms": ms})
    print(json.dumps({"torch": torch.__version__, "blas": blas_name(), "results": results}))


if __name__ == "__main__":
    main()
