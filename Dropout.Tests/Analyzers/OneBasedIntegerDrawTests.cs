using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// An integer drawn from 1 to n (<c>rng.Next(1, n + 1)</c>, how code ported from 1-based languages writes MATLAB's
/// <c>randi(n)</c> or Lua's <c>math.random(n)</c>) compared with <c>n * rate</c> is a dropout decision whose probability is
/// the compared value over n, as <c>rng.Next(n) &lt; n * rate</c> is.
/// </summary>
public sealed class OneBasedIntegerDrawTests
{
    [Fact]
    public Task OneBasedDrawOnEveryForward_IsReportedAsHavingNoInferencePath() =>
        AnalyzerTest.VerifyAsync<DropoutWithoutInferencePathAnalyzer>("""
            public abstract class LayerBase { public abstract double[] Forward(double[] x); }
            public sealed class DropUnits(double rate) : LayerBase
            {
                private static readonly Random Rng = new(5);
                private bool[] _kept = [];
                public override double[] Forward(double[] x)
                {
                    _kept = new bool[x.Length];
                    for (int i = 0; i < x.Length; i++) _kept[i] = {|DRP014:Rng.Next(1, 1001) > 1000 * rate|};
                    var y = new double[x.Length];
                    for (int i = 0; i < x.Length; i++) y[i] = x[i] * (_kept[i] ? 1.0 : 0.0) / (1 - rate);
                    return y;
                }
            }
            """);

    [Fact]
    public Task OneBasedDrawBehindATrainingFlag_IsSilent() =>
        AnalyzerTest.VerifyAsync<DropoutWithoutInferencePathAnalyzer>("""
            public abstract class LayerBase { public abstract double[] Forward(double[] x); }
            public sealed class DropUnits(double rate) : LayerBase
            {
                private static readonly Random Rng = new(5);
                private bool[] _kept = [];
                public bool IsTraining { get; set; } = true;
                public override double[] Forward(double[] x)
                {
                    if (!IsTraining) return x;
                    _kept = new bool[x.Length];
                    for (int i = 0; i < x.Length; i++) _kept[i] = Rng.Next(1, 1001) > 1000 * rate;
                    var y = new double[x.Length];
                    for (int i = 0; i < x.Length; i++) y[i] = x[i] * (_kept[i] ? 1.0 : 0.0) / (1 - rate);
                    return y;
                }
            }
            """);

    [Fact]
    public Task OneBasedDrawScaledByOneOverTheKeptFraction_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class DropUnits(double rate)
            {
                private static readonly Random Rng = new(5);
                public double[] Forward(double[] x, bool training)
                {
                    if (!training) return x;
                    var y = new double[x.Length];
                    for (int i = 0; i < x.Length; i++) y[i] = Rng.Next(1, 101) > 100 * rate ? x[i] / (1 - rate) : 0.0;
                    return y;
                }
            }
            """);

    [Fact]
    public Task OneBasedDrawWithoutAnyScale_IsReportedAsUnscaled() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class DropUnits(double rate)
            {
                private static readonly Random Rng = new(5);
                public double[] Forward(double[] x, bool training)
                {
                    if (!training) return x;
                    var y = new double[x.Length];
                    for (int i = 0; i < x.Length; i++) y[i] = {|DRP004:Rng.Next(1, 101) > 100 * rate|} ? x[i] : 0.0;
                    return y;
                }
            }
            """);

    [Fact]
    public Task OneBasedDrawScaledByOneOverTheRate_IsReportedAsScaledByTheDropRate() =>
        AnalyzerTest.VerifyAsync<DropRateUsedAsScaleAnalyzer>("""
            public sealed class DropUnits(double rate)
            {
                private static readonly Random Rng = new(5);
                public double[] Forward(double[] x, bool training)
                {
                    if (!training) return x;
                    var y = new double[x.Length];
                    for (int i = 0; i < x.Length; i++) y[i] = Rng.Next(1, 101) > 100 * rate ? {|DRP012:x[i] / rate|} : 0.0;
                    return y;
                }
            }
            """);
}
