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
    // An autodiff library records the backward as a closure assigned to the output's backward member inside the forward.
    private const string NodeType = """
        public sealed class Node
        {
            public float[] Value = new float[0];
            public float[] Grad = new float[0];
            public Action? BackwardFn;
        }

        """;

    [Fact]
    public Task BackwardClosure_MasksWithoutTheForwardsScale_IsReported() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(NodeType + """
            public static class Ops
            {
                private static readonly Random Rng = new(1);
                public static Node Dropout(Node x, float rate, bool training)
                {
                    var y = new Node { Value = new float[x.Value.Length], Grad = new float[x.Value.Length] };
                    var dropped = new bool[x.Value.Length];
                    for (int i = 0; i < x.Value.Length; i++)
                    {
                        if (!training) { y.Value[i] = x.Value[i]; continue; }
                        if (Rng.NextDouble() < rate) dropped[i] = true;
                        else { y.Value[i] = x.Value[i] / (1f - rate); dropped[i] = false; }
                    }
                    {|DRP013:y.BackwardFn|} = () =>
                    {
                        for (int i = 0; i < x.Grad.Length; i++) if (!dropped[i]) x.Grad[i] += y.Grad[i];
                    };
                    return y;
                }
            }
            """);

    [Fact]
    public Task BackwardClosure_MasksAndScalesLikeTheForward_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(NodeType + """
            public static class Ops
            {
                private static readonly Random Rng = new(1);
                public static Node Dropout(Node x, float rate, bool training)
                {
                    var y = new Node { Value = new float[x.Value.Length], Grad = new float[x.Value.Length] };
                    var dropped = new bool[x.Value.Length];
                    for (int i = 0; i < x.Value.Length; i++)
                    {
                        if (!training) { y.Value[i] = x.Value[i]; continue; }
                        if (Rng.NextDouble() < rate) dropped[i] = true;
                        else { y.Value[i] = x.Value[i] / (1f - rate); dropped[i] = false; }
                    }
                    y.BackwardFn = () =>
                    {
                        for (int i = 0; i < x.Grad.Length; i++) if (!dropped[i]) x.Grad[i] += y.Grad[i] / (1f - rate);
                    };
                    return y;
                }
            }
            """);

    [Fact]
    public Task BackwardClosure_WhoseMaskCarriesTheScale_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(NodeType + """
            public static class Ops
            {
                private static readonly Random Rng = new(1);
                public static Node Dropout(Node x, float rate)
                {
                    var y = new Node { Value = new float[x.Value.Length], Grad = new float[x.Value.Length] };
                    var mask = new float[x.Value.Length];
                    for (int i = 0; i < x.Value.Length; i++)
                    {
                        mask[i] = Rng.NextDouble() < rate ? 0f : 1f / (1f - rate);
                        y.Value[i] = x.Value[i] * mask[i];
                    }
                    y.BackwardFn = () =>
                    {
                        for (int i = 0; i < x.Grad.Length; i++) x.Grad[i] += y.Grad[i] * mask[i];
                    };
                    return y;
                }
            }
            """);
    // The forward has a training flag, but the flag only picks the scale: the draw and the zeroing run on every call.
    [Fact]
    public Task FlagThatOnlySelectsTheScale_IsNotAnInferencePath_AndReported() =>
        AnalyzerTest.VerifyAsync<DropoutWithoutInferencePathAnalyzer>("""
            public sealed class DropoutLayer(double p)
            {
                private readonly Random _rng = new(8);
                private double[] _mask = [];
                public bool IsTraining { get; set; }
                public double[] Forward(double[] x, bool isTraining)
                {
                    IsTraining = isTraining;
                    _mask = new double[x.Length];
                    double coef = IsTraining ? 1.0 - p : 1.0;
                    var y = (double[])x.Clone();
                    for (int i = 0; i < y.Length; i++)
                    {
                        var v = _mask[i] = {|DRP014:_rng.NextDouble() > p|} ? 1.0 : 0.0;
                        y[i] *= v / coef;
                    }
                    return y;
                }
            }
            """);

    [Fact]
    public Task FlagThatAlsoGatesTheDraw_IsAnInferencePath() =>
        AnalyzerTest.VerifyAsync<DropoutWithoutInferencePathAnalyzer>("""
            public sealed class DropoutLayer(double p)
            {
                private readonly Random _rng = new(8);
                public double[] Forward(double[] x, bool isTraining)
                {
                    double coef = isTraining ? 1.0 - p : 1.0;
                    var y = (double[])x.Clone();
                    for (int i = 0; i < y.Length; i++)
                    {
                        double v = isTraining && _rng.NextDouble() <= p ? 0.0 : 1.0;
                        y[i] *= v / coef;
                    }
                    return y;
                }
            }
            """);

    [Fact]
    public Task FlagThatSelectsTheScaleAndReturnsEarly_IsAnInferencePath() =>
        AnalyzerTest.VerifyAsync<DropoutWithoutInferencePathAnalyzer>("""
            public sealed class DropoutLayer(double p)
            {
                private readonly Random _rng = new(8);
                public double[] Forward(double[] x, bool isTraining)
                {
                    double coef = isTraining ? 1.0 - p : 1.0;
                    if (!isTraining) return x;
                    var y = (double[])x.Clone();
                    for (int i = 0; i < y.Length; i++)
                    {
                        double v = _rng.NextDouble() <= p ? 0.0 : 1.0;
                        y[i] *= v / coef;
                    }
                    return y;
                }
            }
            """);
}
