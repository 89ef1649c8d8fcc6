#!/usr/bin/env bash
# Runs every benchmark behind BENCHMARKS.md on this machine, one thread, and leaves the reports in
# BenchmarkDotNet.Artifacts/results/ and benchmarks/torch-results.md. Takes about 30 minutes; run it on a quiet machine.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch
fi
lscpu | grep -E 'Model name|^CPU\(s\)|L3' || true
dotnet run -c Release --project Dropout.Benchmarks -- --filter '*' "$@"
/usr/bin/python3 benchmarks/torch_dropout.py | tee benchmarks/torch-results.md
