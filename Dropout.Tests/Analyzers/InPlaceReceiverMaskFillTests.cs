using Dropout.Analyzers;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// A tensor whose method fills its own elements with 0/1 draws kept with the argument (<c>noise.Fill01(1 - p)</c>, the
/// in-place <c>noise:bernoulli(1 - p)</c> of Torch-style modules) is a mask once that call ran; multiplied into the activation
/// by a product call (<c>output.Cmul(noise)</c>) it is dropout. DRP014 when the forward does it on every call (a guard on
/// the rate fixed at construction does not switch it off), DRP004 when nothing scales; a mode flag, an inference factor,
/// a scale, or a scalar product (<c>output.Scale(1 - p)</c>) are silent. A helper that returns one 0/1 number drawn with its
/// parameter (<c>torch.bernoulli(p)</c> given a number), held in a number field and multiplied into the whole tensor, is the
/// same dropout of the entire input.
/// </summary>
public sealed class InPlaceReceiverMaskFillTests
{
    // A small tensor type written for these tests, with lower-case Torch-style names: the fill is read from its body.
    private const string Tensor = """
        public sealed class Vec
        {
            private static readonly Random Gen = new(11);
            public double[] data = [];
            public Vec SizeLike(Vec other) { if (data.Length != other.data.Length) data = new double[other.data.Length]; return this; }
            public Vec copy(Vec other) { Array.Copy(other.data, data, other.data.Length); return this; }
            public Vec fill01(double keep) { for (int i = 0; i < data.Length; i++) data[i] = Gen.NextDouble() < keep ? 1 : 0; return this; }
            public Vec clear() { for (int i = 0; i < data.Length; i++) data[i] = 0; return this; }
            public Vec cmul(Vec other) { for (int i = 0; i < data.Length; i++) data[i] *= other.data[i]; return this; }
            public Vec mul(double v) { for (int i = 0; i < data.Length; i++) data[i] *= v; return this; }
            public Vec div(double v) { for (int i = 0; i < data.Length; i++) data[i] /= v; return this; }
        }

        public abstract class Unit
        {
            public Vec output = new();
            public abstract Vec run(Vec input);
        }
        """;

    [Fact]
    public Task MaskFilledInPlaceAndAppliedOnEveryCall_IsReportedAsHavingNoInferencePath() =>
        VerifyLayerAsync("""
            public sealed class DropoutUnit(double p) : Unit
            {
                private readonly Vec _noise = new();
                public override Vec run(Vec input)
                {
                    _noise.SizeLike(input);
                    _noise.fill01(1 - p);
                    output.SizeLike(input).copy(input);
                    {|DRP014:output.cmul(_noise)|};
                    output.div(1 - p);
                    return output;
                }
            }
            """);

    [Fact]
    public Task MaskFilledInPlaceBehindATrainingFlag_IsSilent() =>
        VerifyLayerAsync("""
            public sealed class DropoutUnit(double p) : Unit
            {
                private readonly Vec _noise = new();
                public bool training = true;
                public override Vec run(Vec input)
                {
                    output.SizeLike(input).copy(input);
                    if (training)
                    {
                        _noise.SizeLike(input);
                        _noise.fill01(1 - p);
                        output.cmul(_noise);
                        output.div(1 - p);
                    }
                    return output;
                }
            }
            """);

    [Fact]
    public Task MaskFilledInPlaceUnderAGuardOnTheRate_IsReportedAsHavingNoInferencePath() =>
        VerifyLayerAsync("""
            public sealed class DropoutUnit(double p) : Unit
            {
                private readonly double _p = p;
                private readonly Vec _noise = new();
                public override Vec run(Vec input)
                {
                    _noise.SizeLike(input);
                    if (_p > 0) _noise.fill01(1 - _p); else _noise.clear();
                    output.SizeLike(input).copy(input);
                    {|DRP014:output.cmul(_noise)|};
                    output.div(1 - _p);
                    return output;
                }
            }
            """);

    [Fact]
    public Task MaskFilledInPlaceUnderAGuardOnARateAnotherMethodSets_IsSilent() =>
        VerifyLayerAsync("""
            public sealed class DropoutUnit(double p) : Unit
            {
                private double _p = p;
                private readonly Vec _noise = new();
                public void SetRate(double rate) => _p = rate;
                public override Vec run(Vec input)
                {
                    _noise.SizeLike(input);
                    if (_p > 0) _noise.fill01(1 - _p); else _noise.clear();
                    output.SizeLike(input).copy(input);
                    output.cmul(_noise);
                    output.div(1 - _p);
                    return output;
                }
            }
            """);

    [Fact]
    public Task MaskFilledInPlaceWithNoScaleAnywhere_IsReportedAsUnscaled() =>
        VerifyLayerAsync("""
            public sealed class DropoutUnit(double p) : Unit
            {
                private readonly Vec _noise = new();
                public bool training = true;
                public override Vec run(Vec input)
                {
                    output.SizeLike(input).copy(input);
                    if (training)
                    {
                        _noise.SizeLike(input);
                        _noise.fill01(1 - p);
                        {|DRP004:output.cmul(_noise)|};
                    }
                    return output;
                }
            }
            """);

    [Fact]
    public Task MaskFilledInPlaceWithTheClassicInferenceFactor_IsSilent() =>
        VerifyLayerAsync("""
            public sealed class DropoutUnit(double p) : Unit
            {
                private readonly Vec _noise = new();
                public bool training = true;
                public override Vec run(Vec input)
                {
                    output.SizeLike(input).copy(input);
                    if (training)
                    {
                        _noise.SizeLike(input);
                        _noise.fill01(1 - p);
                        output.cmul(_noise);
                    }
                    else
                    {
                        output.mul(1 - p);
                    }
                    return output;
                }
            }
            """);

    // A helper returning one 0/1 number drawn with its parameter (Torch's `torch.bernoulli(p)` given a number) is a mask of
    // one value: a whole tensor multiplied by it is dropped or kept entirely.
    private const string Coin = """

        public static class Coin
        {
            private static readonly Random Gen = new(5);
            public static double Draw(double keep) => Gen.NextDouble() < keep ? 1 : 0;
        }
        """;

    [Fact]
    public Task WholeInputKeptByAReturnedBernoulliNumberWithNoScale_IsReportedAsUnscaled() =>
        VerifyLayerAsync("""
            public sealed class TotalDropoutUnit(double p) : Unit
            {
                private double _noise;
                public bool training = true;
                public override Vec run(Vec input)
                {
                    output.SizeLike(input).copy(input);
                    if (training)
                    {
                        _noise = Coin.Draw(1 - p);
                        {|DRP004:output.mul(_noise)|};
                    }
                    return output;
                }
            }
            """ + Coin);

    [Fact]
    public Task WholeInputKeptByAReturnedBernoulliNumberWithTheClassicInferenceFactor_IsSilent() =>
        VerifyLayerAsync("""
            public sealed class TotalDropoutUnit(double p) : Unit
            {
                private double _noise;
                public bool training = true;
                public override Vec run(Vec input)
                {
                    output.SizeLike(input).copy(input);
                    if (training)
                    {
                        _noise = Coin.Draw(1 - p);
                        output.mul(_noise);
                    }
                    else
                    {
                        output.mul(1 - p);
                    }
                    return output;
                }
            }
            """ + Coin);

    [Fact]
    public Task WholeInputKeptByAReturnedBernoulliNumberScaledInTraining_IsSilent() =>
        VerifyLayerAsync("""
            public sealed class TotalDropoutUnit(double p) : Unit
            {
                private double _noise;
                public bool training = true;
                public override Vec run(Vec input)
                {
                    output.SizeLike(input).copy(input);
                    if (training)
                    {
                        _noise = Coin.Draw(1 - p);
                        output.mul(_noise);
                        output.div(1 - p);
                    }
                    return output;
                }
            }
            """ + Coin);

    private static Task VerifyLayerAsync(string layer)
    {
        var test = new CSharpAnalyzerTest<MissingInvertedScalingAcrossCallsAnalyzer, DefaultVerifier>();
        test.TestState.Sources.Add(("/Vec.cs", AnalyzerTest.Usings + Tensor));
        test.TestState.Sources.Add(("/Layer.cs", AnalyzerTest.Usings + layer));
        test.TestState.ReferenceAssemblies = ReferenceAssemblies.Net.Net80;
        test.TestState.AdditionalReferences.Add(AnalyzerTest.RuntimeReference);
        return test.RunAsync();
    }
}
