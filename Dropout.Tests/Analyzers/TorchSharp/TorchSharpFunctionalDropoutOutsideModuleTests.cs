using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers.TorchSharp;

/// <summary>
/// DRP014 for <c>functional.dropout</c> told to train always (<c>training: true</c>, or left at its default) in the code
/// of a layer description that is no <c>Module</c>: there is no <c>this.training</c> that <c>eval()</c> could switch, so
/// the layer drops units whenever it runs. Twins: a flag parameter passed through, a flag member tested around the call,
/// a caller that applies the layer only while training, and a module (DRP022's, not this rule's).
/// </summary>
public sealed class TorchSharpFunctionalDropoutOutsideModuleTests
{
    private static string Layer(string apply, string extra = "") => """
        public abstract class LayerSpec
        {
            public abstract Module<Tensor, Tensor> Build(long inputs);
            public abstract Tensor ApplyActivation(Tensor x);
        }

        public sealed class DenseLayerSpec : LayerSpec
        {
            public DenseLayerSpec(long units, double dropoutRate) { Units = units; DropoutRate = dropoutRate; }

            public long Units { get; }
            public double DropoutRate { get; }

            public override Module<Tensor, Tensor> Build(long inputs) => Sequential(Linear(inputs, Units), ReLU(), Dropout(DropoutRate));

        """ + apply + extra + """

        }
        """;

    [Fact]
    public Task ActivationThatAlwaysPassesTrainingTrue_IsReported() =>
        TorchSharpTest.VerifyAsync<DropoutWithoutInferencePathAnalyzer>(Layer("""
                public override Tensor ApplyActivation(Tensor x)
                {
                    var activated = F.relu(x);
                    if (DropoutRate > 0.0)
                    {
                        activated = F.dropout(activated, DropoutRate, training: {|DRP014:true|});
                    }

                    return activated;
                }
            """));

    [Fact]
    public Task ActivationThatLeavesTrainingAtItsDefault_IsReported() =>
        TorchSharpTest.VerifyAsync<DropoutWithoutInferencePathAnalyzer>(Layer("""
                public override Tensor ApplyActivation(Tensor x) => {|DRP014:F.dropout(F.relu(x), DropoutRate)|};
            """));

    [Fact]
    public Task ActivationThatPassesAFlagParameter_IsNotReported() =>
        TorchSharpTest.VerifyAsync<DropoutWithoutInferencePathAnalyzer>(Layer("""
                public override Tensor ApplyActivation(Tensor x) => ApplyActivation(x, false);

                public Tensor ApplyActivation(Tensor x, bool training) => F.dropout(F.relu(x), DropoutRate, training);
            """));

    [Fact]
    public Task ActivationThatTestsATrainingMember_IsNotReported() =>
        TorchSharpTest.VerifyAsync<DropoutWithoutInferencePathAnalyzer>(Layer("""
                public bool Training { get; set; }

                public override Tensor ApplyActivation(Tensor x) => Training ? F.dropout(F.relu(x), DropoutRate, true) : F.relu(x);
            """));

    [Fact]
    public Task ActivationCalledOnlyFromTraining_IsNotReported() =>
        TorchSharpTest.VerifyAsync<DropoutWithoutInferencePathAnalyzer>(Layer("""
                public override Tensor ApplyActivation(Tensor x) => F.dropout(F.relu(x), DropoutRate, true);

                public Tensor TrainStep(Tensor x) => ApplyActivation(x);
            """));
}
