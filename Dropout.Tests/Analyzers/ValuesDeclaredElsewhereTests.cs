using Dropout.Analyzers;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// A scale defined by value in another file (a <c>static readonly</c> field or a get-only property of a settings type) is
/// read from its declaration, so a scale of one over the drop rate is DRP012 even when the layer only names it, and the
/// right scale keeps DRP004 and DRP012 silent. A member that can be written elsewhere stays unknown (silent).
/// </summary>
public sealed class ValuesDeclaredElsewhereTests
{
    private const string Layer = """
        public sealed class DropoutLayer
        {
            private readonly Random _rng = new(3);
            private readonly Settings _settings = new();

            public float[] Forward(float[] input, bool training)
            {
                if (!training) return input;
                var y = new float[input.Length];
                for (int i = 0; i < y.Length; i++)
                    y[i] = _rng.NextDouble() < RATE ? 0f : KEPT;
                return y;
            }
        }
        """;

    private static Task VerifyAsync<TAnalyzer>(string settings, string rate, string kept)
        where TAnalyzer : DiagnosticAnalyzer, new()
    {
        var test = new CSharpAnalyzerTest<TAnalyzer, DefaultVerifier>();
        test.TestState.Sources.Add(("/Settings.cs", AnalyzerTest.Usings + settings));
        test.TestState.Sources.Add(("/DropoutLayer.cs", AnalyzerTest.Usings + Layer.Replace("RATE", rate).Replace("KEPT", kept)));
        test.TestState.ReferenceAssemblies = ReferenceAssemblies.Net.Net80;
        test.TestState.AdditionalReferences.Add(AnalyzerTest.RuntimeReference);
        return test.RunAsync();
    }

    private const string StaticSettings = """
        public sealed class Settings
        {
            public static readonly float DropRate = 0.3f;
            public static readonly float KeepScale = SCALE;
        }
        """;

    private const string InstanceSettings = """
        public sealed class Settings
        {
            public float Rate { get; set; } = 0.3f;
            public float Scale => SCALE;
        }
        """;

    [Fact]
    public Task StaticReadonlyScaleOfAnotherFile_OneOverTheDropRate_IsReported() =>
        VerifyAsync<DropRateUsedAsScaleAnalyzer>(StaticSettings.Replace("SCALE", "1f / DropRate"), "Settings.DropRate", "{|DRP012:input[i] * Settings.KeepScale|}");

    [Fact]
    public Task GetOnlyPropertyOfAnotherFile_OneOverTheDropRate_IsReported() =>
        VerifyAsync<DropRateUsedAsScaleAnalyzer>(InstanceSettings.Replace("SCALE", "1f / Rate"), "_settings.Rate", "{|DRP012:input[i] * _settings.Scale|}");

    [Fact]
    public Task StaticReadonlyScaleOfAnotherFile_OneOverTheKeepProbability_IsSilent() =>
        VerifyAsync<DropRateUsedAsScaleAnalyzer>(StaticSettings.Replace("SCALE", "1f / (1f - DropRate)"), "Settings.DropRate", "input[i] * Settings.KeepScale");

    [Fact]
    public Task StaticReadonlyScaleOfAnotherFile_OneOverTheKeepProbability_IsNoMissingScale() =>
        VerifyAsync<MissingInvertedScalingAnalyzer>(StaticSettings.Replace("SCALE", "1f / (1f - DropRate)"), "Settings.DropRate", "input[i] * Settings.KeepScale");

    [Fact]
    public Task GetOnlyPropertyOfAnotherFile_OneOverTheKeepProbability_IsSilent() =>
        VerifyAsync<DropRateUsedAsScaleAnalyzer>(InstanceSettings.Replace("SCALE", "1f / (1f - Rate)"), "_settings.Rate", "input[i] * _settings.Scale");

    [Fact]
    public Task WritableScaleOfAnotherFile_IsUnknown() =>
        VerifyAsync<DropRateUsedAsScaleAnalyzer>(
            StaticSettings.Replace("SCALE", "1f / DropRate").Replace("public static readonly float KeepScale", "public static float KeepScale"),
            "Settings.DropRate",
            "input[i] * Settings.KeepScale");
}
