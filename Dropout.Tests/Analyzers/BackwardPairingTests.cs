using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// DRP013 pairs a backward with the dropout by data flow (it reads the forward's mask or state, or it is the type's only
/// backward), not by its name alone; and a gradient copied on one branch or before masking done by a call is not passed through.
/// </summary>
public sealed class BackwardPairingTests
{
    // A tensor type holding many operations: the ReLU's gradient tests x > 0 and is not the dropout's backward.
    private const string TensorOps = """
        public sealed class Tensor
        {
            public float[] Data = Array.Empty<float>();
            public bool[] Dropped = Array.Empty<bool>();
            private static readonly Random Rng = new(3);
            public void Dropout(float dropProbability, Tensor result)
            {
                Dropped = new bool[Data.Length];
                for (int i = 0; i < Data.Length; i++)
                {
                    Dropped[i] = Rng.NextDouble() < dropProbability;
                    result.Data[i] = Dropped[i] ? 0 : Data[i] / (1 - dropProbability);
                }
            }
            public void Relu(Tensor result)
            {
                for (int i = 0; i < Data.Length; i++) result.Data[i] = Data[i] > 0 ? Data[i] : 0;
            }
            public void ReluGradient(Tensor outputGradient, Tensor inputGradient)
            {
                for (int i = 0; i < Data.Length; i++) inputGradient.Data[i] = Data[i] > 0 ? outputGradient.Data[i] : 0;
            }
            public void SigmoidGradient(Tensor outputGradient, Tensor inputGradient)
            {
                for (int i = 0; i < Data.Length; i++) inputGradient.Data[i] = Data[i] * (1 - Data[i]) * outputGradient.Data[i];
            }
        """;

    [Fact]
    public Task ReluGradient_InATypeThatAlsoHoldsDropout_WithADropoutGradientScalingByItsOwnParameter_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(TensorOps + """
                public void DropoutGradient(Tensor input, Tensor outputGradient, float dropProbability, Tensor inputGradient)
                {
                    for (int i = 0; i < Data.Length; i++) inputGradient.Data[i] = input.Dropped[i] ? 0 : outputGradient.Data[i] / (1 - dropProbability);
                }
            }
            """);

    [Fact]
    public Task DropoutGradient_ThatReadsTheMaskWithoutTheScale_IsReported_AndReluGradientIsNot() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(TensorOps + """
                public void {|DRP013:DropoutGradient|}(Tensor input, Tensor outputGradient, float dropProbability, Tensor inputGradient)
                {
                    for (int i = 0; i < Data.Length; i++) inputGradient.Data[i] = input.Dropped[i] ? 0 : outputGradient.Data[i];
                }
            }
            """);

    [Fact]
    public Task BackwardOnlyByName_InATypeWithSeveralBackwardsNoneReadingTheMask_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(TensorOps + """
            }
            """);

    // A small vector type standing for a linear-algebra library: masking by a call, copying by a call.
    private const string Vector = """
        public sealed class Vec
        {
            public double[] Values;
            public Vec(int n) { Values = new double[n]; }
            public void PointwiseMultiply(Vec other, Vec result) { for (int i = 0; i < Values.Length; i++) result.Values[i] = Values[i] * other.Values[i]; }
            public void CopyTo(Vec target) => Values.CopyTo(target.Values, 0);
        }
        """;

    [Fact]
    public Task BackwardCopyingOnTheInferenceBranch_AndMaskingByACallInTraining_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Vector + """
            public sealed class DropoutLayer(double rate)
            {
                private readonly Random _rng = new(5);
                private Vec _mask = new(0);
                public bool Training { get; set; }
                public void Forward(Vec bottom, Vec top)
                {
                    if (Training)
                    {
                        _mask = new Vec(bottom.Values.Length);
                        for (int i = 0; i < _mask.Values.Length; i++) _mask.Values[i] = _rng.NextDouble() < rate ? 0.0 : 1.0 / (1.0 - rate);
                        bottom.PointwiseMultiply(_mask, top);
                    }
                    else
                    {
                        bottom.CopyTo(top);
                    }
                }
                public void Backward(Vec topDiff, Vec bottomDiff)
                {
                    if (Training) topDiff.PointwiseMultiply(_mask, bottomDiff);
                    else topDiff.CopyTo(bottomDiff);
                }
            }
            """);

    [Fact]
    public Task BackwardThatOnlyCopiesTheGradient_IsReported() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Vector + """
            public sealed class DropoutLayer(double rate)
            {
                private readonly Random _rng = new(5);
                private Vec _mask = new(0);
                public void Forward(Vec bottom, Vec top)
                {
                    _mask = new Vec(bottom.Values.Length);
                    for (int i = 0; i < _mask.Values.Length; i++) _mask.Values[i] = _rng.NextDouble() < rate ? 0.0 : 1.0 / (1.0 - rate);
                    bottom.PointwiseMultiply(_mask, top);
                }
                public void {|DRP013:Backward|}(Vec topDiff, Vec bottomDiff)
                {
                    topDiff.CopyTo(bottomDiff);
                }
            }
            """);

    [Fact]
    public Task BackwardCopyingThenMaskingThroughASameClassHelper_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>("""
            public sealed class DropoutLayer
            {
                private readonly Random _rng = new(9);
                private readonly float _rate;
                private readonly float _scale;
                private bool[] _dropped = Array.Empty<bool>();
                private float[] _gradient = Array.Empty<float>();
                public DropoutLayer(float rate) { _rate = rate; _scale = 1 / (1 - rate); }
                public void Forward(float[] x)
                {
                    _dropped = new bool[x.Length];
                    for (int i = 0; i < x.Length; i++) _dropped[i] = _rng.Next(1000) < (int)(1000 * _rate);
                    Drop(x);
                }
                public float[] Backward(float[] gradient)
                {
                    _gradient = new float[gradient.Length];
                    gradient.CopyTo(_gradient, 0);
                    Drop(_gradient);
                    return _gradient;
                }
                private void Drop(float[] values)
                {
                    for (int i = 0; i < values.Length; i++)
                        if (_dropped[i]) values[i] = 0; else values[i] *= _scale;
                }
            }
            """);

    [Fact]
    public Task BackwardCopyingAndHandingTheCopyOnUnmasked_IsReported() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>("""
            public sealed class DropoutLayer
            {
                private readonly Random _rng = new(9);
                private readonly float _rate;
                private bool[] _dropped = Array.Empty<bool>();
                private float[] _gradient = Array.Empty<float>();
                public DropoutLayer(float rate) { _rate = rate; }
                public void Forward(float[] x)
                {
                    _dropped = new bool[x.Length];
                    for (int i = 0; i < x.Length; i++) { _dropped[i] = _rng.NextDouble() < _rate; x[i] = _dropped[i] ? 0 : x[i] / (1 - _rate); }
                }
                public float[] {|DRP013:Backward|}(float[] gradient)
                {
                    _gradient = new float[gradient.Length];
                    gradient.CopyTo(_gradient, 0);
                    return _gradient;
                }
            }
            """);
}
