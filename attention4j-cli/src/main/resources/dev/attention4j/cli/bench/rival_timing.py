"""Timing (and the BLAS in use) shared by the PyTorch sides of `attention4j bench ...`. PyTorchRival copies this file
beside the script it runs, so a script imports it as `from rival_timing import timed, blas_name`."""
import os
import statistics
import time

import torch


def timed(fn, warmup, min_seconds, min_calls, max_calls=1_000_000, warmup_seconds=0.0):
    """The median time per call of fn in ms, after at least `warmup` untimed calls and at least `warmup_seconds` of
    them: at least `min_calls` calls and at least `min_seconds`, at most `max_calls` calls."""
    start = time.perf_counter()
    calls = 0
    while calls < warmup or time.perf_counter() - start < warmup_seconds:
        fn()
        calls += 1
    times = []
    start = time.perf_counter()
    while len(times) < max_calls and (len(times) < min_calls or time.perf_counter() - start < min_seconds):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def blas_name():
    """Debian's torch calls the system libblas.so.3, which update-alternatives points at OpenBLAS when installed."""
    real = os.path.realpath("/usr/lib/x86_64-linux-gnu/libblas.so.3")
    if "openblas" in real:
        return "openblas"
    if os.path.exists(real):
        return "reference BLAS"
    return "mkl" if "USE_MKL=ON" in torch.__config__.show() else "unknown"
