using Dropout.Analyzers;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// A verdict must not depend on which file the analyzer driver visits first. A member's values read by two files (its own,
/// and another type's that uses it as a scale) were cached once for the whole compilation, so the first file to ask
/// decided what the second saw: with the layer's file first, a consumer scaling by the layer's correct <c>1/p</c> (set in
/// its constructor) was reported as missing its scale.
/// </summary>
public sealed class FileOrderIndependenceTests
{
    private const string Layer = """
        public sealed class Layer
        {
            public float Gain { get; }
            private readonly Random _rng = new(2);
            public bool Training;

            public Layer() { Gain = GAIN; }

            public void Dropout(float[] x)
            {
                if (!Training) return;
                for (int i = 0; i < x.Length; i++)
                    x[i] = LAYERVALUE;
            }
        }
        """;

    private const string Consumer = """
        public sealed class Consumer
        {
            private readonly Layer _layer = new();
            private readonly Random _rng = new(1);
            public bool Training;

            public void Dropout(float[] x)
            {
                if (!Training) return;
                for (int i = 0; i < x.Length; i++)
                    x[i] = _rng.NextDouble() < 0.5 ? 0f : KEPT;
            }
        }
        """;

    private static Task VerifyAsync(bool layerFirst, string gain, string layerKept, string consumerKept)
    {
        var test = new CSharpAnalyzerTest<MissingInvertedScalingAnalyzer, DefaultVerifier>();
        // The driver visits documents in name order: the names put the layer's file first or second.
        var layer = (layerFirst ? "/A_Layer.cs" : "/Z_Layer.cs", AnalyzerTest.Usings + Layer.Replace("GAIN", gain).Replace("LAYERVALUE", layerKept));
        var consumer = ("/M_Consumer.cs", AnalyzerTest.Usings + Consumer.Replace("KEPT", consumerKept));
        if (layerFirst)
        {
            test.TestState.Sources.Add(layer);
            test.TestState.Sources.Add(consumer);
        }
        else
        {
            test.TestState.Sources.Add(consumer);
            test.TestState.Sources.Add(layer);
        }

        test.TestState.ReferenceAssemblies = ReferenceAssemblies.Net.Net80;
        test.TestState.AdditionalReferences.Add(AnalyzerTest.RuntimeReference);
        return test.RunAsync();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public Task ConsumerScalingByTheLayersCorrectGain_IsSilent_InEitherFileOrder(bool layerFirst) =>
        VerifyAsync(layerFirst, "1f / (1f - 0.5f)", "_rng.NextDouble() < 0.5 ? 0f : x[i] * Gain", "x[i] * _layer.Gain");

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public Task LayerWhoseGainIsOne_IsReported_InEitherFileOrder(bool layerFirst) =>
        VerifyAsync(layerFirst, "1f", "{|DRP004:_rng.NextDouble() < 0.5|} ? 0f : x[i] * Gain", "x[i] * 2f");
}
