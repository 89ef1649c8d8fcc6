using Dropout.Analyzers;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// DRP015 by the values prediction passes, for whole-array dropout over a library's array type (code ported from numpy):
/// the draw <c>np.random.rand(x.shape) &gt; rate</c> or <c>np.random.binomial(1, keep, shape)</c> is a site as a scalar
/// draw is, so an evaluation (an inference name, or an accuracy over data) whose call chain hands the layer's flag the value
/// under which it draws is reported, including a default <see langword="true"/> it leaves in place. The twins pass the value
/// that switches the draw off, or are training code that leaves the default on purpose.
/// </summary>
public sealed class LibraryArrayDropoutAtEvaluationTests
{
    // A layer list whose dropout layer takes the flag; `Predict` defaults the flag to training, as the ported code does.
    private const string Network = """
        public class Layer
        {
            public virtual NDArray Forward(NDArray x, bool train = true) => x;
        }

        public sealed class DropoutLayer : Layer
        {
            public double ratio = 0.5;
            public NDArray mask;

            public override NDArray Forward(NDArray x, bool train = true)
            {
                if (train)
                {
                    this.mask = DRAW;
                    return x * this.mask;
                }

                return x * (1.0 - this.ratio);
            }
        }

        public sealed class Network
        {
            public List<Layer> layers = new List<Layer> { new Layer(), new DropoutLayer(), new Layer() };

            public NDArray Predict(NDArray x, bool train = true)
            {
                foreach (Layer layer in this.layers)
                {
                    if (layer is DropoutLayer)
                    {
                        x = layer.Forward(x, train);
                    }
                    else
                    {
                        x = layer.Forward(x);
                    }
                }

                return x;
            }

            public NDArray Loss(NDArray x, NDArray t) => this.Predict(x) * t;

            ENTRY
        }
        """;

    private const string Threshold = "np.random.rand(x.shape) > this.ratio";

    private const string Bernoulli = "np.random.binomial(1, 1.0 - this.ratio, x.shape)";

    private static Task VerifyAsync(string draw, string entry)
    {
        var test = new CSharpAnalyzerTest<HandWrittenDropoutInInferenceAcrossCallsAnalyzer, DefaultVerifier>();
        test.TestState.Sources.Add(("/Network.cs", AnalyzerTest.Usings + "using Arrays;\n" + Network.Replace("DRAW", draw).Replace("ENTRY", entry)));
        test.TestState.ReferenceAssemblies = ReferenceAssemblies.Net.Net80;
        test.TestState.AdditionalReferences.Add(AnalyzerTest.RuntimeReference);
        test.TestState.AdditionalReferences.Add(LibraryArrayDropoutTests.Library.Value);
        return test.RunAsync();
    }

    // An accuracy over data that calls `Predict(x)` leaves the default `true` in place: the array draw runs while measuring.
    [Theory]
    [InlineData(Threshold)]
    [InlineData(Bernoulli)]
    public Task AccuracyLeavingTheTrainingDefault_IsReported(string draw) =>
        VerifyAsync(draw, "public NDArray Accuracy(NDArray x, NDArray t) => {|DRP015:this.Predict(x)|} * t;");

    // An evaluation by name that passes the training value explicitly.
    [Theory]
    [InlineData(Threshold)]
    [InlineData(Bernoulli)]
    public Task EvaluationPassingTrue_IsReported(string draw) =>
        VerifyAsync(draw, "public NDArray Evaluate(NDArray x) => {|DRP015:this.Predict(x, true)|};");

    // The correct twins: the evaluation switches the draw off; training (`Loss`, above) leaves the default on purpose.
    [Theory]
    [InlineData(Threshold, "public NDArray Accuracy(NDArray x, NDArray t) => this.Predict(x, false) * t;")]
    [InlineData(Bernoulli, "public NDArray Accuracy(NDArray x, NDArray t) => this.Predict(x, train: false) * t;")]
    [InlineData(Threshold, "public NDArray Evaluate(NDArray x) => this.Predict(x, false);")]
    [InlineData(Threshold, "public NDArray Gradient(NDArray x, NDArray t) => this.Loss(x, t);")]
    public Task EvaluationSwitchingTheDrawOff_OrTraining_IsSilent(string draw, string entry) => VerifyAsync(draw, entry);

    // A unit test that measures accuracy over data is no prediction entry (as for every inference name): it may run the
    // layer in training on purpose, e.g. to check that dropout changes the output. The same two methods without the test
    // attribute are reported (checked when this guard was written), so the attribute is what keeps them silent.
    [Theory]
    [InlineData(Threshold)]
    [InlineData(Bernoulli)]
    public Task AccuracyOverDataInAUnitTest_IsSilent(string draw) =>
        VerifyAsync(draw, "public sealed class TheoryAttribute : System.Attribute { } [Theory] public void AccuracyIsMeasured(NDArray x, NDArray t) { _ = this.Predict(x) * t; } [Theory] public void EvalReturnsOutput(NDArray x) { _ = this.Predict(x, true); }");

    // A uniform array that is not compared with one number (a weight initialization) is no site.
    [Fact]
    public Task UniformArrayNotThresholded_IsSilent() =>
        VerifyAsync("np.random.uniform(0, 1, x.shape) * this.ratio", "public NDArray Accuracy(NDArray x, NDArray t) => this.Predict(x) * t;");
}
