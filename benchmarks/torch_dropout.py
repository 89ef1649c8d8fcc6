#!/usr/bin/env python3
"""Times torch.nn.functional.dropout forward and backward on the sizes of Dropout.Benchmarks, one thread.

Run with Debian's python3-torch (apt-get install python3-torch):  /usr/bin/python3 benchmarks/torch_dropout.py
PyTorch's argument is the DROP rate: keep probability p is passed as 1 - p.

For each case it reports the median (and 95th percentile) of repeated timings, and a torch `x.clone()` of the
same tensor as the in-process memory baseline, so ratios can be compared with BenchmarkDotNet's ratio to CopyTo.
"""
import argparse
import statistics
import sys
import time

import torch


def time_call(fn, min_seconds, min_reps, max_reps):
    fn()  # warm up
    samples = []
    start = time.perf_counter()
    while len(samples) < max_reps and (len(samples) < min_reps or time.perf_counter() - start < min_seconds):
        t0 = time.perf_counter_ns()
        fn()
        samples.append((time.perf_counter_ns() - t0) / 1000.0)  # microseconds
    samples.sort()
    return statistics.median(samples), samples[int(0.95 * (len(samples) - 1))]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="4096,262144,16777216,134217728")
    parser.add_argument("--keep", default="0.5,0.8", help="keep probabilities (this project's convention)")
    parser.add_argument("--seconds", type=float, default=2.0, help="minimum time per case")
    args = parser.parse_args()

    torch.set_num_threads(1)
    torch.manual_seed(0)
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, python {sys.version.split()[0]}")
    print("| N | p (keep) | clone µs (median) | forward µs (median) | forward+backward µs (median) | forward / clone |")
    print("|---|---|---|---|---|---|")
    for n in (int(s) for s in args.sizes.split(",")):
        reps = (5, 10000) if n < 1_000_000 else (5, 15)
        x = torch.rand(n, dtype=torch.float32)
        clone_median, _ = time_call(lambda: x.clone(), args.seconds, *reps)
        for keep in (float(s) for s in args.keep.split(",")):
            drop = 1.0 - keep
            forward_median, _ = time_call(
                lambda: torch.nn.functional.dropout(x, p=drop, training=True), args.seconds, *reps)
            xg = x.clone().requires_grad_(True)
            grad = torch.ones(n, dtype=torch.float32)

            def forward_backward():
                y = torch.nn.functional.dropout(xg, p=drop, training=True)
                y.backward(grad)
                xg.grad = None

            both_median, _ = time_call(forward_backward, args.seconds, *reps)
            print(f"| {n:,} | {keep} | {clone_median:.1f} | {forward_median:.1f} | {both_median:.1f} | {forward_median / clone_median:.2f} |")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
