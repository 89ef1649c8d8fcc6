using Dropout.Analyzers;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// DRP014 stays silent when the layer's type is used from another file it cannot read the calls of (a type test, a
/// mention beyond construction). A namespace's name is no such use: a layer class named <c>Net</c> is not used by a file
/// that says <c>using System.Net;</c> or declares <c>namespace Trading.Net</c>.
/// </summary>
public sealed class NamespaceNamedLikeTheLayerTests
{
    private const string AlwaysDroppingNet = """
        public sealed class Net
        {
            private readonly double Rate = 0.3;
            private readonly Random Rng = new Random(11);

            public double[] Forward(double[] x)
            {
                var y = new double[x.Length];
                for (int i = 0; i < x.Length; i++)
                    y[i] = DECISION ? 0.0 : x[i] / (1 - Rate);
                return y;
            }
        }
        """;

    private static Task VerifyAsync(params (string Name, string Source)[] files)
    {
        var test = new CSharpAnalyzerTest<DropoutWithoutInferencePathAnalyzer, DefaultVerifier>();
        foreach ((string name, string source) in files)
        {
            test.TestState.Sources.Add(("/" + name, AnalyzerTest.Usings + source));
        }

        test.TestState.ReferenceAssemblies = ReferenceAssemblies.Net.Net80;
        test.TestState.AdditionalReferences.Add(AnalyzerTest.RuntimeReference);
        return test.RunAsync();
    }

    [Fact]
    public Task LayerNamedNet_BesideAFileUsingSystemNet_IsReported() =>
        VerifyAsync(
            ("Net.cs", AlwaysDroppingNet.Replace("DECISION", "{|DRP014:Rng.NextDouble() < Rate|}")),
            ("Endpoints.cs", """
                using System.Net;

                public static class Endpoints
                {
                    public static IPAddress Local => IPAddress.Loopback;
                }
                """));

    [Fact]
    public Task LayerNamedNet_BesideAFileDeclaringANamespaceEndingInNet_IsReported() =>
        VerifyAsync(
            ("Net.cs", AlwaysDroppingNet.Replace("DECISION", "{|DRP014:Rng.NextDouble() < Rate|}")),
            ("Quotes.cs", """
                namespace Trading.Net
                {
                    public static class Quotes
                    {
                        public static double Mid(double bid, double ask) => (bid + ask) / 2;
                    }
                }
                """));

    // A type test in another file is a use whose calls cannot be seen (the network may skip the layer at inference).
    [Fact]
    public Task LayerNamedNet_TypeTestedInAFileThatAlsoUsesSystemNet_IsSilent() =>
        VerifyAsync(
            ("Net.cs", AlwaysDroppingNet.Replace("DECISION", "Rng.NextDouble() < Rate")),
            ("Pipeline.cs", """
                using System.Net;

                public static class Pipeline
                {
                    public static IPAddress Local => IPAddress.Loopback;

                    public static double[] Infer(object[] stages, double[] x)
                    {
                        foreach (object stage in stages)
                        {
                            if (stage is Net) continue;
                        }

                        return x;
                    }
                }
                """));
}
