#!/usr/bin/env bash
# Runs the current Dropout.Analyzers over third-party C# code kept OUTSIDE the repository, one compilation per folder.
#   benchmarks/real-code-check.sh /tmp/realcheck/*/
# Third-party sources must never be copied into this repository; keep them in a scratch folder.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dotnet build "$root/Dropout.Analyzers" -c Release -v q -nologo >/dev/null
dotnet build "$root/benchmarks/real-code-check" -c Release -v q -nologo >/dev/null
dotnet "$root/benchmarks/real-code-check/bin/Release/net10.0/RealCodeCheck.dll" \
  "$root/Dropout.Analyzers/bin/Release/netstandard2.0/Dropout.Analyzers.dll" "$@"
