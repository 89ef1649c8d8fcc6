using Dropout.Analyzers;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// Issue 9, program structure: a dropout layer's method moved into a static class of another file (or an extension
/// method) that reads the layer through one parameter, the layer's method forwarding to it. The moved body is part of the
/// layer: its reads and writes through the parameter are the layer's members. Each mistake has a correct twin.
/// </summary>
public sealed class ReceiverHelperTests
{
    private const string Layer = """
        public sealed class DropoutLayer
        {
            internal readonly Random Rng = new Random(3);
            internal readonly double KeepProbability;
            internal bool[] Mask = new bool[0];

            public DropoutLayer(double keepProbability) { KeepProbability = keepProbability; }

            public double[] Forward(double[] x, bool training) => DropoutOps.Forward(this, x, training);
        }
        """;

    private const string Ops = """
        internal static class DropoutOps
        {
            public static double[] Forward(DropoutLayer layer, double[] x, bool training)
            {
                if (!training) return x;
                var y = new double[x.Length];
                layer.Mask = new bool[x.Length];
                for (int i = 0; i < x.Length; i++)
                {
                    layer.Mask[i] = DECISION;
                    y[i] = layer.Mask[i] ? x[i]KEPT_SCALE : 0.0;
                }
                return y;
            }
        }
        """;

    private const string ExtensionOps = """
        internal static class DropoutLayerExtensions
        {
            public static double[] Forward(this DropoutLayer layer, double[] x, bool training)
            {
                if (!training) return x;
                var y = new double[x.Length];
                for (int i = 0; i < x.Length; i++)
                    y[i] = DECISION ? x[i]KEPT_SCALE : 0.0;
                return y;
            }
        }
        """;

    private const string ExtensionLayer = """
        public sealed class DropoutLayer
        {
            internal readonly Random Rng = new Random(3);
            internal readonly double KeepProbability;

            public DropoutLayer(double keepProbability) { KeepProbability = keepProbability; }

            public double[] Run(double[] x) => this.Forward(x, training: true);
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

    [Fact]
    public Task ForwardMovedIntoAStaticClassOfAnotherFile_ReadingTheLayersRateAndGenerator_UnscaledIsReported() =>
        VerifyAsync<MissingInvertedScalingAnalyzer>(
            ("DropoutLayer.cs", Layer),
            ("DropoutOps.cs", Ops.Replace("DECISION", "{|DRP004:layer.Rng.NextDouble() < layer.KeepProbability|}").Replace("KEPT_SCALE", "")));

    [Fact]
    public Task ForwardMovedIntoAStaticClassOfAnotherFile_ScaledByTheLayersKeepProbability_IsSilent() =>
        VerifyAsync<MissingInvertedScalingAnalyzer>(
            ("DropoutLayer.cs", Layer),
            ("DropoutOps.cs", Ops.Replace("DECISION", "layer.Rng.NextDouble() < layer.KeepProbability").Replace("KEPT_SCALE", " / layer.KeepProbability")));

    [Fact]
    public Task ForwardAsAnExtensionMethodOfAnotherFile_Unscaled_IsReported() =>
        VerifyAsync<MissingInvertedScalingAnalyzer>(
            ("DropoutLayer.cs", ExtensionLayer),
            ("DropoutLayerExtensions.cs", ExtensionOps.Replace("DECISION", "{|DRP004:layer.Rng.NextDouble() < layer.KeepProbability|}").Replace("KEPT_SCALE", "")));

    [Fact]
    public Task ForwardAsAnExtensionMethodOfAnotherFile_ScaledByTheLayersKeepProbability_IsSilent() =>
        VerifyAsync<MissingInvertedScalingAnalyzer>(
            ("DropoutLayer.cs", ExtensionLayer),
            ("DropoutLayerExtensions.cs", ExtensionOps.Replace("DECISION", "layer.Rng.NextDouble() < layer.KeepProbability").Replace("KEPT_SCALE", " / layer.KeepProbability")));

    private const string MaskLayer = """
        public class MaskedLayer
        {
            public double[] Output = new double[0];
            public int[] Mask = new int[0];
            public double KeepRate { get; }

            public MaskedLayer(double rate) { KeepRate = 1 - rate; }

            public void Forward(double[] inputs, bool training) => MaskedLayerOps.Forward(this, inputs, training);

            internal int[] CreateMask(double keep, int length)
            {
                var rand = new Random();
                var result = new int[length];
                for (int i = 0; i < length; i++)
                {
                    bool kept = rand.NextDouble() < keep;
                    result[i] = kept ? 1 : 0;
                }
                return result;
            }
        }
        """;

    private const string MaskOps = """
        internal static class MaskedLayerOps
        {
            public static void Forward(MaskedLayer self, double[] inputs, bool training)
            {
                if (!training) { self.Output = inputs; return; }
                self.Mask = self.CreateMask(self.KeepRate, inputs.Length);
                self.Output = new double[inputs.Length];
                for (int i = 0; i < inputs.Length; i++)
                    self.Output[i] = KEPT;
            }
        }
        """;

    [Fact]
    public Task MaskDrawnByTheLayer_AppliedInAStaticClassOfAnotherFile_Unscaled_IsReported() =>
        VerifyAsync<MissingInvertedScalingAnalyzer>(
            ("MaskedLayer.cs", MaskLayer),
            ("MaskedLayerOps.cs", MaskOps.Replace("self.CreateMask(self.KeepRate, inputs.Length)", "{|DRP004:self.CreateMask(self.KeepRate, inputs.Length)|}").Replace("KEPT", "inputs[i] * self.Mask[i]")));

    [Fact]
    public Task MaskDrawnByTheLayer_AppliedInAStaticClassOfAnotherFile_ScaledByTheKeepRate_IsSilent() =>
        VerifyAsync<MissingInvertedScalingAnalyzer>(
            ("MaskedLayer.cs", MaskLayer),
            ("MaskedLayerOps.cs", MaskOps.Replace("KEPT", "inputs[i] * self.Mask[i] / self.KeepRate")));
}
