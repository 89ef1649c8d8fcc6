#!/usr/bin/env bash
# Measures what Dropout.Analyzers and Dropout.Generators cost in a large compilation: the sample's sources copied
# COPIES times (default 20, about 50k lines) into one library, each copy in its own namespace, built once with
# -p:ReportAnalyzer=true (Program.cs, whose top-level statements only an executable may have, is left out; the JSON context is renamed per copy because System.Text.Json's generator names its files by type name). Prints the compiler's per-analyzer and per-generator times.
# A second argument `without-analyzers` builds the same compilation without the Dropout.Analyzers reference (everything
# else identical), for comparing the total analyzer time with and without the rules.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
copies=${1:-20}
variant=${2:-}
if [[ -n "$variant" && "$variant" != without-analyzers ]]; then
  echo "usage: $0 [copies] [without-analyzers]" >&2
  exit 2
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cat > "$work/AnalyzerTiming.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <OutputType>Library</OutputType>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
    <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
    <NoWarn>\$(NoWarn);CS1591;CS7022</NoWarn>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="System.Numerics.Tensors" Version="10.0.0" />
    <ProjectReference Include="$root/Dropout.Runtime/Dropout.Runtime.csproj" />
    <ProjectReference Include="$root/Dropout.Generators/Dropout.Generators.csproj" OutputItemType="Analyzer" ReferenceOutputAssembly="false" />
$([[ "$variant" == without-analyzers ]] || echo "    <ProjectReference Include=\"$root/Dropout.Analyzers/Dropout.Analyzers.csproj\" OutputItemType=\"Analyzer\" ReferenceOutputAssembly=\"false\" />")
  </ItemGroup>
</Project>
XML

for ((k = 0; k < copies; k++)); do
  mkdir -p "$work/Copy$k"
  (cd "$root/Dropout.Samples" && find . -name '*.cs' -not -name Program.cs -not -path './obj/*' -not -path './bin/*' -print0) |
    while IFS= read -r -d '' file; do
      mkdir -p "$work/Copy$k/$(dirname "$file")"
      sed -e "s/Dropout\.Samples/Dropout.Samples.Copy$k/g" -e "s/ResultsJsonContext/ResultsJsonContext$k/g" "$root/Dropout.Samples/$file" > "$work/Copy$k/$file"
    done
done
lines=$(find "$work" -name '*.cs' -print0 | xargs -0 cat | wc -l)
echo "compilation: $copies copies of Dropout.Samples, $lines lines of C#${variant:+ ($variant)}"
dotnet build "$work/AnalyzerTiming.csproj" -c Release -p:ReportAnalyzer=true -v:d > "$work/build.log" 2>&1 ||
  { tail -30 "$work/build.log"; exit 1; }
# The compiler's report for the timing project only: its Csc task, from the compilation request to the task's end (the
# referenced projects are compiled before it and report their own analyzers).
awk '/Compilation request AnalyzerTiming/ {inside = 1} inside; inside && /Done executing task "Csc"/ {exit}' "$work/build.log" |
  grep -E 'Total (analyzer|generator) execution time|Dropout\.(Analyzers|Generators), Version|\(DRP[0-9]+\)|Dropout\.Generators\.DropoutGenerator' |
  sed 's/^ *//' | awk '!seen[$0]++'
