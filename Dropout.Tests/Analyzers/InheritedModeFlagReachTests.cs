using Dropout.Analyzers;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// DRP014 and a base type's mode flag: a flag inherited from a base (<c>Module.training</c>, set by the base's constructor)
/// switches the dropout off only if something can carry it to the site, that is code of the dropout type or of its bases
/// reads it. A flag nothing reads is no inference path, whatever it is called; a flag the dropout's forward, or the base's
/// own call wrapper, reads is one.
/// </summary>
public sealed class InheritedModeFlagReachTests
{
    private const string ModuleBase = """
        public class Module
        {
            public bool training;
            public Module() { this.training = true; }
            public NDArray Call(NDArray x) => CALL;
            public virtual NDArray Forward(NDArray x) => x;
        }
        """;

    private static Task VerifyArrayAsync(string call, string forward)
    {
        var test = new CSharpAnalyzerTest<MissingInvertedScalingAcrossCallsAnalyzer, DefaultVerifier>();
        test.TestState.Sources.Add(("/Modules.cs", AnalyzerTest.Usings + "using Arrays;\n" + ModuleBase.Replace("CALL", call) + """

            public sealed class DropoutModule : Module
            {
                public double ratio = 0.5;
                public NDArray mask;
                public override NDArray Forward(NDArray x)
                {
                    FORWARD
                }
            }
            """.Replace("FORWARD", forward)));
        test.TestState.ReferenceAssemblies = ReferenceAssemblies.Net.Net80;
        test.TestState.AdditionalReferences.Add(AnalyzerTest.RuntimeReference);
        test.TestState.AdditionalReferences.Add(LibraryArrayDropoutTests.Library.Value);
        return test.RunAsync();
    }

    // The base's constructor sets `training` and nothing reads it: the whole-array dropout draws on every call.
    [Fact]
    public Task ArrayDropout_BaseFlagNothingReads_IsReported() =>
        VerifyArrayAsync("Forward(x)", """
            this.mask = np.random.rand(x.shape) > this.ratio;
            return {|DRP014:x * this.mask|} / (1.0 - this.ratio);
            """);

    // The twins: the dropout's forward reads the inherited flag, or the base's wrapper only calls the forward while training.
    [Theory]
    [InlineData("Forward(x)", "if (!this.training) return x; this.mask = np.random.rand(x.shape) > this.ratio; return x * this.mask / (1.0 - this.ratio);")]
    [InlineData("this.training ? Forward(x) : x", "this.mask = np.random.rand(x.shape) > this.ratio; return x * this.mask / (1.0 - this.ratio);")]
    public Task ArrayDropout_BaseFlagReadOnTheWay_IsSilent(string call, string forward) => VerifyArrayAsync(call, forward);

    private const string ScalarBase = """
        public class Layer
        {
            protected bool Training;
            public Layer() { Training = true; }
            public double[] Call(double[] x) => CALL;
            public virtual double[] Forward(double[] x) => x;
        }

        public sealed class DropLayer : Layer
        {
            private readonly Random _rng = new Random(3);
            public double Rate = 0.3;
            public override double[] Forward(double[] x) => FORWARD;
        }
        """;

    [Fact]
    public Task ScalarDropout_BaseFlagNothingReads_IsReported() =>
        AnalyzerTest.VerifyAsync<DropoutWithoutInferencePathAnalyzer>(ScalarBase.Replace("CALL", "Forward(x)")
            .Replace("FORWARD", "x.Select(v => {|DRP014:_rng.NextDouble() < Rate|} ? 0 : v / (1 - Rate)).ToArray()"));

    [Theory]
    [InlineData("Forward(x)", "Training ? x.Select(v => _rng.NextDouble() < Rate ? 0 : v / (1 - Rate)).ToArray() : x")]
    [InlineData("Training ? Forward(x) : x", "x.Select(v => _rng.NextDouble() < Rate ? 0 : v / (1 - Rate)).ToArray()")]
    public Task ScalarDropout_BaseFlagReadOnTheWay_IsSilent(string call, string forward) =>
        AnalyzerTest.VerifyAsync<DropoutWithoutInferencePathAnalyzer>(ScalarBase.Replace("CALL", call).Replace("FORWARD", forward));
}
