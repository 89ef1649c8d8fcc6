#!/usr/bin/env python3
"""Times PyTorch's bias + ReLU + dropout chain (torch.relu(x + b), then F.dropout) forward and forward+backward, one thread,
on the shapes of Dropout.Benchmarks' FusedEpilogue benchmarks (rows x 1024 columns, bias per column).

Run with Debian's python3-torch (apt-get install python3-torch):  /usr/bin/python3 benchmarks/torch_fused_chain.py
PyTorch's argument is the DROP rate: keep probability p is passed as 1 - p. The backward includes the bias gradient
(b.requires_grad) and the input gradient, as the fused backward computes them.
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
    return statistics.median(samples)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="262144,134217728")
    parser.add_argument("--keep", default="0.5,0.8", help="keep probabilities (this project's convention)")
    parser.add_argument("--seconds", type=float, default=2.0, help="minimum time per case")
    args = parser.parse_args()

    torch.set_num_threads(1)
    torch.manual_seed(0)
    columns = 1024
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, python {sys.version.split()[0]}")
    print("| N | p (keep) | clone µs | forward µs | forward / clone | forward+backward µs |")
    print("|---|---|---|---|---|---|")
    for n in (int(s) for s in args.sizes.split(",")):
        reps = (5, 2000) if n < 1_000_000 else (3, 8)
        x = torch.rand(n // columns, columns, dtype=torch.float32) - 0.5
        b = torch.rand(columns, dtype=torch.float32) - 0.5
        clone = time_call(lambda: x.clone(), args.seconds, *reps)
        for keep in (float(s) for s in args.keep.split(",")):
            drop = 1.0 - keep
            forward = time_call(lambda: torch.nn.functional.dropout(torch.relu(x + b), p=drop, training=True), args.seconds, *reps)
            xg = x.clone().requires_grad_(True)
            bg = b.clone().requires_grad_(True)
            grad = torch.ones_like(x)

            def forward_backward():
                y = torch.nn.functional.dropout(torch.relu(xg + bg), p=drop, training=True)
                y.backward(grad)
                xg.grad = None
                bg.grad = None

            both = time_call(forward_backward, args.seconds, *reps)
            print(f"| {n:,} | {keep} | {clone:.1f} | {forward:.1f} | {forward / clone:.2f} | {both:.1f} |")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
