using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// A switch around hand-written dropout is a way around it (an inference path) only where the value it switches on can
/// differ between training and prediction, exactly as for an <c>if</c>. A dispatch on a layer's kind fixed when the model
/// was built (<c>switch (spec.Kind) { case LayerKind.Dropout: ... }</c>) or on what an object is
/// (<c>case DropoutSpec d:</c>) runs the dropout case in both, so the dropout it holds runs on every call; a switch on a
/// phase the caller passes (or a mode that methods set) still gates it.
/// </summary>
public sealed class SwitchThatIsNoGateTests
{
    private const string Specs = """
        public enum LayerKind { Dense, Dropout }

        public sealed class LayerSpec
        {
            public LayerSpec(LayerKind kind, double rate) { Kind = kind; Rate = rate; }
            public LayerKind Kind { get; }
            public double Rate { get; }
        }

        """;

    [Fact]
    public Task NetworkForward_SwitchingOnTheLayerKindFixedAtConstruction_HasNoInferencePath() =>
        AnalyzerTest.VerifyAsync<DropoutWithoutInferencePathAnalyzer>(Specs + """
            public sealed class Network
            {
                private readonly LayerSpec[] _specs;
                private readonly Random _rng = new(3);
                public Network(LayerSpec[] specs) { _specs = specs; }

                public double[] Forward(double[] x)
                {
                    foreach (LayerSpec spec in _specs)
                    {
                        switch (spec.Kind)
                        {
                            case LayerKind.Dropout:
                                for (int i = 0; i < x.Length; i++) x[i] = {|DRP014:_rng.NextDouble() < spec.Rate|} ? 0 : x[i] / (1 - spec.Rate);
                                break;
                            case LayerKind.Dense:
                                for (int i = 0; i < x.Length; i++) x[i] = Math.Max(0, x[i]);
                                break;
                        }
                    }
                    return x;
                }
            }
            """);

    [Fact]
    public Task Predict_DispatchingOnTheLayerKindWithASwitchExpression_RunsTheDropout() =>
        AnalyzerTest.VerifyAsync<HandWrittenDropoutInInferenceAnalyzer>(Specs + """
            public sealed class Network
            {
                private readonly LayerSpec[] _specs;
                private readonly Random _rng = new(3);
                public Network(LayerSpec[] specs) { _specs = specs; }

                public double Predict(double[] x)
                {
                    double sum = 0;
                    foreach (LayerSpec spec in _specs)
                    {
                        for (int i = 0; i < x.Length; i++)
                        {
                            x[i] = spec.Kind switch
                            {
                                LayerKind.Dropout => {|DRP015:_rng.NextDouble() < spec.Rate|} ? 0 : x[i] / (1 - spec.Rate),
                                _ => Math.Max(0, x[i]),
                            };
                        }
                    }
                    for (int i = 0; i < x.Length; i++) sum += x[i];
                    return sum;
                }
            }
            """);

    [Fact]
    public Task Predict_DispatchingOnTheLayerType_RunsTheDropout() =>
        AnalyzerTest.VerifyAsync<HandWrittenDropoutInInferenceAnalyzer>("""
            public abstract class Spec { }
            public sealed class DenseSpec : Spec { }
            public sealed class DropSpec : Spec { public DropSpec(double rate) { Rate = rate; } public double Rate { get; } }

            public sealed class Network
            {
                private readonly Spec[] _specs;
                private readonly Random _rng = new(3);
                public Network(Spec[] specs) { _specs = specs; }

                public double[] Predict(double[] x)
                {
                    foreach (Spec spec in _specs)
                    {
                        switch (spec)
                        {
                            case DropSpec d:
                                for (int i = 0; i < x.Length; i++) x[i] = {|DRP015:_rng.NextDouble() < d.Rate|} ? 0 : x[i] / (1 - d.Rate);
                                break;
                            case DenseSpec:
                                for (int i = 0; i < x.Length; i++) x[i] = Math.Max(0, x[i]);
                                break;
                        }
                    }
                    return x;
                }
            }
            """);

    [Fact]
    public Task Predict_SwitchingOnAPhaseTheCallerPasses_IsGated() =>
        AnalyzerTest.VerifyAsync<HandWrittenDropoutInInferenceAnalyzer>(Specs + """
            public enum Phase { Train, Infer }

            public sealed class Network
            {
                private readonly LayerSpec[] _specs;
                private readonly Random _rng = new(3);
                public Network(LayerSpec[] specs) { _specs = specs; }

                public double[] Predict(double[] x, Phase phase)
                {
                    foreach (LayerSpec spec in _specs)
                    {
                        switch (phase)
                        {
                            case Phase.Train:
                                for (int i = 0; i < x.Length; i++) x[i] = _rng.NextDouble() < spec.Rate ? 0 : x[i] / (1 - spec.Rate);
                                break;
                            default:
                                break;
                        }
                    }
                    return x;
                }
            }
            """);

    [Fact]
    public Task NetworkForward_SwitchingOnAModeThatMethodsSet_IsGated() =>
        AnalyzerTest.VerifyAsync<DropoutWithoutInferencePathAnalyzer>(Specs + """
            public sealed class Network
            {
                private readonly LayerSpec[] _specs;
                private readonly Random _rng = new(3);
                private int _stage;
                public Network(LayerSpec[] specs) { _specs = specs; }
                public void BeginFit() => _stage = 1;
                public void EndFit() => _stage = 0;

                public double[] Forward(double[] x)
                {
                    foreach (LayerSpec spec in _specs)
                    {
                        switch (_stage)
                        {
                            case 1:
                                for (int i = 0; i < x.Length; i++) x[i] = _rng.NextDouble() < spec.Rate ? 0 : x[i] / (1 - spec.Rate);
                                break;
                        }
                    }
                    return x;
                }
            }
            """);
}
