using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// Shapes seen in the dropout layers of public neural-network libraries (the second held-out set of real code, see
/// docs/analyzers.md): an integer draw reduced modulo n, a zeroing capped by a counter nested under the draw, and a
/// backward that multiplies by the keep probability the forward divided by. Each has a correct twin that stays silent.
/// </summary>
public sealed class LibraryLayerShapesTests
{
    [Fact]
    public Task ModuloIntegerDraw_WithoutScale_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class DropoutLayer(int dropPercent)
            {
                private readonly Random _rng = new(5);
                public float[] Forward(float[] units, bool training)
                {
                    if (!training) return units;
                    for (int i = 0; i < units.Length; i++)
                    {
                        if ({|DRP004:_rng.Next() % 100 < dropPercent|}) units[i] = 0f;
                    }
                    return units;
                }
            }
            """);

    [Fact]
    public Task ModuloIntegerDraw_WithInvertedScale_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class DropoutLayer(int dropPercent)
            {
                private readonly Random _rng = new(5);
                public float[] Forward(float[] units, bool training)
                {
                    if (!training) return units;
                    float keep = 1f - dropPercent / 100f;
                    for (int i = 0; i < units.Length; i++)
                    {
                        units[i] = _rng.Next() % 100 < dropPercent ? 0f : units[i] / keep;
                    }
                    return units;
                }
            }
            """);

    [Fact]
    public Task ModuloIntegerDraw_UsedAsAnIndex_IsNotADropoutSite() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class ReplayBuffer(int capacity)
            {
                private readonly Random _rng = new(5);
                private readonly float[] _rewards = new float[capacity];
                public float SampleReward() => _rewards[_rng.Next() % capacity];
                public void ClearOne() => _rewards[_rng.Next() % capacity] = 0f;
            }
            """);

    [Fact]
    public Task ZeroingCappedByACounter_WithoutScale_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class DropoutLayer(double rate)
            {
                private readonly Random _rng = new(9);
                public double[] Forward(double[] units, bool training)
                {
                    if (!training) return units;
                    int budget = (int)(units.Length * rate);
                    for (int i = 0; i < units.Length; i++)
                    {
                        if ({|DRP004:_rng.NextDouble() < rate|})
                        {
                            if (budget-- > 0) units[i] = 0;
                        }
                    }
                    return units;
                }
            }
            """);

    [Fact]
    public Task ZeroingCappedByACounter_WithInvertedScale_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class DropoutLayer(double rate)
            {
                private readonly Random _rng = new(9);
                public double[] Forward(double[] units, bool training)
                {
                    if (!training) return units;
                    int budget = (int)(units.Length * rate);
                    for (int i = 0; i < units.Length; i++)
                    {
                        if (_rng.NextDouble() < rate)
                        {
                            if (budget-- > 0) units[i] = 0;
                        }
                        else
                        {
                            units[i] /= 1 - rate;
                        }
                    }
                    return units;
                }
            }
            """);

    private const string InvertedForward = """
        public sealed class DropoutLayer(double rate)
        {
            private readonly Random _rng = new(3);
            private double[] _mask = [];
            public double[] Forward(double[] x, bool training)
            {
                if (!training) return x;
                double keep = 1.0 - rate;
                _mask = new double[x.Length];
                var y = new double[x.Length];
                for (int i = 0; i < x.Length; i++)
                {
                    _mask[i] = _rng.NextDouble() > rate ? 1.0 : 0.0;
                    y[i] = x[i] * _mask[i] / keep;
                }
                return y;
            }

        """;

    [Fact]
    public Task Backward_MultipliesByTheKeepProbabilityTheForwardDividedBy_IsReported() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(InvertedForward + """
                public double[] {|DRP013:Backward|}(double[] grad)
                {
                    double keep = 1.0 - rate;
                    var g = new double[grad.Length];
                    for (int i = 0; i < grad.Length; i++) g[i] = grad[i] * _mask[i] * keep;
                    return g;
                }
            }
            """);

    [Fact]
    public Task Backward_DividesByTheKeepProbabilityLikeTheForward_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(InvertedForward + """
                public double[] Backward(double[] grad)
                {
                    double keep = 1.0 - rate;
                    var g = new double[grad.Length];
                    for (int i = 0; i < grad.Length; i++) g[i] = grad[i] * _mask[i] / keep;
                    return g;
                }
            }
            """);
    // A layer whose mask is drawn by a builder method and applied by a property: `Predicted` reads the activations
    // without the mask (classic dropout's inference path), so the builder is not a forward that always drops.
    private const string MaskBuilderLayer = """
        public sealed class HiddenLayer
        {
            private readonly Random _rng = new(4);
            private readonly double _dropRate;
            private readonly int[] _keep;
            private readonly double[] _activations;
            public HiddenLayer(int size, double dropRate)
            {
                _dropRate = dropRate;
                _keep = new int[size];
                _activations = new double[size];
                CreateMask();
            }
            public void Refresh() { CreateMask(); }
            public double[] Trained => _activations.Select((a, i) => _keep[i] == 1 ? a : 0.0).ToArray();

        """;

    [Fact]
    public Task MaskBuilder_WithAMasklessReaderOfTheMaskedActivations_IsSilent() =>
        AnalyzerTest.VerifyAsync<DropoutWithoutInferencePathAnalyzer>(MaskBuilderLayer + """
                private void CreateMask()
                {
                    for (int i = 0; i < _keep.Length; i++) _keep[i] = _rng.NextDouble() < _dropRate ? 0 : 1;
                }
                public double[] Predicted => _activations.Select(a => a * (1 - _dropRate)).ToArray();
            }
            """);

    [Fact]
    public Task MaskBuilder_WhoseActivationsAreOnlyReadThroughTheMask_IsReported() =>
        AnalyzerTest.VerifyAsync<DropoutWithoutInferencePathAnalyzer>(MaskBuilderLayer + """
                private void CreateMask()
                {
                    for (int i = 0; i < _keep.Length; i++) _keep[i] = {|DRP014:_rng.NextDouble() < _dropRate|} ? 0 : 1;
                }
                public double[] Predicted => _activations.Select((a, i) => _keep[i] * a).ToArray();
            }
            """);

    // The builder that also applies the mask is a forward: a maskless reader elsewhere does not excuse it.
    [Fact]
    public Task MethodThatDrawsAndAppliesTheMask_IsStillAForward_AndReported() =>
        AnalyzerTest.VerifyAsync<DropoutWithoutInferencePathAnalyzer>("""
            public sealed class HiddenLayer(int size, double dropRate)
            {
                private readonly Random _rng = new(4);
                private readonly int[] _keep = new int[size];
                private readonly double[] _activations = new double[size];
                public void Apply()
                {
                    for (int i = 0; i < _keep.Length; i++)
                    {
                        _keep[i] = {|DRP014:_rng.NextDouble() < dropRate|} ? 0 : 1;
                        _activations[i] *= _keep[i];
                    }
                }
                public double Sum => _activations.Sum();
            }
            """);
}
