using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// A multiplier array that holds the 0/1 decision in training and the keep probability at inference is classic dropout:
/// the value written into the mask in the branch that does not draw is the inference scale, applied wherever the mask is.
/// </summary>
public sealed class MaskHoldsInferenceScaleTests
{
    [Fact]
    public Task MultiplierSetToKeepProbabilityInTheOtherBranch_IsNotReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class Stage
            {
                private readonly Random _rng = new(3);
                private readonly double[] _multiplier = new double[64];
                public double Rate = 0.25;

                public void SetMode(bool training)
                {
                    for (int i = 0; i < _multiplier.Length; i++)
                    {
                        if (training)
                            _multiplier[i] = _rng.NextDouble() < Rate ? 0 : 1;
                        else
                            _multiplier[i] = 1 - Rate;
                    }
                }

                public void Apply(double[] x)
                {
                    for (int i = 0; i < x.Length; i++)
                        x[i] = _multiplier[i] * x[i];
                }
            }
            """);

    [Fact]
    public Task MultiplierSetToOneInTheOtherBranch_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class Stage
            {
                private readonly Random _rng = new(3);
                private readonly double[] _multiplier = new double[64];
                public double Rate = 0.25;

                public void SetMode(bool training)
                {
                    for (int i = 0; i < _multiplier.Length; i++)
                    {
                        if (training)
                            _multiplier[i] = {|DRP004:_rng.NextDouble() < Rate|} ? 0 : 1;
                        else
                            _multiplier[i] = 1;
                    }
                }

                public void Apply(double[] x)
                {
                    for (int i = 0; i < x.Length; i++)
                        x[i] = _multiplier[i] * x[i];
                }
            }
            """);

    [Fact]
    public Task KeepProbabilityStoredInAnotherArray_IsStillReported() =>
        // Only a write into the mask itself is applied where the mask is: a keep probability recorded in a log array scales nothing.
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class Stage
            {
                private readonly Random _rng = new(3);
                private readonly double[] _multiplier = new double[64];
                private readonly double[] _history = new double[64];
                public double Rate = 0.25;

                public void SetMode(bool training)
                {
                    for (int i = 0; i < _multiplier.Length; i++)
                    {
                        if (training)
                            _multiplier[i] = {|DRP004:_rng.NextDouble() < Rate|} ? 0 : 1;
                        else
                            _history[i] = 1 - Rate;
                    }
                }

                public void Apply(double[] x)
                {
                    for (int i = 0; i < x.Length; i++)
                        x[i] = _multiplier[i] * x[i];
                }
            }
            """);

    [Fact]
    public Task KeepProbabilityInTheOtherBranchOfOneConditional_IsNotReported() =>
        // The same choice written as one expression: the branch beside the decision is written into the same entry.
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class Stage
            {
                private readonly Random _rng = new(3);
                private readonly double[] _multiplier = new double[64];
                public double Rate = 0.25;

                public void SetMode(bool training)
                {
                    for (int i = 0; i < _multiplier.Length; i++)
                        _multiplier[i] = training ? (_rng.NextDouble() < Rate ? 0 : 1) : 1 - Rate;
                }

                public void Apply(double[] x)
                {
                    for (int i = 0; i < x.Length; i++)
                        x[i] = _multiplier[i] * x[i];
                }
            }
            """);

    [Fact]
    public Task OneInTheOtherBranchOfOneConditional_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class Stage
            {
                private readonly Random _rng = new(3);
                private readonly double[] _multiplier = new double[64];
                public double Rate = 0.25;

                public void SetMode(bool training)
                {
                    for (int i = 0; i < _multiplier.Length; i++)
                        _multiplier[i] = training ? ({|DRP004:_rng.NextDouble() < Rate|} ? 0 : 1) : 1;
                }

                public void Apply(double[] x)
                {
                    for (int i = 0; i < x.Length; i++)
                        x[i] = _multiplier[i] * x[i];
                }
            }
            """);
}
