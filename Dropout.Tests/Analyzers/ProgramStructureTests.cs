using Dropout.Analyzers;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// Issue 9, program structure: dropout whose parts real code keeps elsewhere than the layer (the generator behind a
/// static utility class in another file). Each mistake has a correct twin that stays silent.
/// </summary>
public sealed class ProgramStructureTests
{
    private const string Layer = """
        public sealed class DropoutLayer
        {
            private readonly float _dropRate;

            public DropoutLayer(float dropRate) { _dropRate = dropRate; }

            public float[] Forward(float[] input, bool training)
            {
                if (!training) return input;
                var output = new float[input.Length];
                for (int i = 0; i < input.Length; i++)
                    output[i] = DECISION ? 0f : input[i]KEPT_SCALE;
                return output;
            }
        }
        """;

    private const string RangeUtility = """
        internal static class RandomUtil
        {
            private static readonly Random r = new Random(7);
            public static float RandomRange(float lo, float hi) => lo + (hi - lo) * r.NextSingle();
            public static double Between(double min, double max)
            {
                return (max - min) * r.NextDouble() + min;
            }
            public static float Halfway(float lo, float hi) => lo + (hi - lo) * 0.5f;
        }
        """;

    private static Task VerifyAsync<TAnalyzer>(params (string Name, string Source)[] files)
        where TAnalyzer : DiagnosticAnalyzer, new()
    {
        var test = new CSharpAnalyzerTest<TAnalyzer, DefaultVerifier>();
        foreach ((string name, string source) in files)
        {
            test.TestState.Sources.Add(("/" + name, AnalyzerTest.Usings + source));
        }

        test.TestState.ReferenceAssemblies = ReferenceAssemblies.Net.Net80;
        test.TestState.AdditionalReferences.Add(AnalyzerTest.RuntimeReference);
        return test.RunAsync();
    }

    private static string LayerWith(string decision, string keptScale) => Layer.Replace("DECISION", decision).Replace("KEPT_SCALE", keptScale);

    [Fact]
    public Task RangeHelperOfAnotherFile_CalledWithZeroAndOne_IsAUniformDraw_UnscaledMaskIsReported() =>
        VerifyAsync<MissingInvertedScalingAnalyzer>(
            ("DropoutLayer.cs", LayerWith("{|DRP004:RandomUtil.RandomRange(0f, 1f) < _dropRate|}", "")),
            ("RandomUtil.cs", RangeUtility));

    [Fact]
    public Task RangeHelperOfAnotherFile_CalledWithZeroAndOne_ScaledMaskIsSilent() =>
        VerifyAsync<MissingInvertedScalingAnalyzer>(
            ("DropoutLayer.cs", LayerWith("RandomUtil.RandomRange(0f, 1f) < _dropRate", " / (1f - _dropRate)")),
            ("RandomUtil.cs", RangeUtility));

    [Fact]
    public Task RangeHelperWithTheOffsetLast_CalledWithZeroAndOne_UnscaledMaskIsReported() =>
        VerifyAsync<MissingInvertedScalingAnalyzer>(
            ("DropoutLayer.cs", LayerWith("{|DRP004:RandomUtil.Between(0.0, 1.0) < _dropRate|}", "")),
            ("RandomUtil.cs", RangeUtility));

    [Fact]
    public Task RangeHelperCalledWithOtherBounds_IsNoUniform_Silent() =>
        VerifyAsync<MissingInvertedScalingAnalyzer>(
            ("DropoutLayer.cs", LayerWith("RandomUtil.RandomRange(0f, 2f) < _dropRate", "")),
            ("RandomUtil.cs", RangeUtility));

    [Fact]
    public Task HelperWithBoundsThatDrawsNothing_IsNoUniform_Silent() =>
        VerifyAsync<MissingInvertedScalingAnalyzer>(
            ("DropoutLayer.cs", LayerWith("RandomUtil.Halfway(0f, 1f) < _dropRate", "")),
            ("RandomUtil.cs", RangeUtility));
}
