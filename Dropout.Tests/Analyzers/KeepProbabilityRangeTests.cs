using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

public sealed class KeepProbabilityOutOfRangeTests
{
    [Theory]
    [InlineData("0.0")]
    [InlineData("-0.5")]
    [InlineData("1.5")]
    [InlineData("double.NaN")]
    [InlineData("double.PositiveInfinity")]
    public Task DropoutAttribute_WithKeepProbabilityOutsideUnitInterval_IsReported(string keepProbability) =>
        AnalyzerTest.VerifyAsync<KeepProbabilityOutOfRangeAnalyzer>($$"""
            [Dropout({|DRP001:{{keepProbability}}|})]
            public sealed partial class Hidden { }
            """);

    // Only attributes spelled Dropout/DropoutAttribute or by a using alias are bound (binding every attribute of a large
    // compilation was most of the cost of rules 1-3); an alias still reaches the rule, at file or namespace level.
    [Fact]
    public Task DropoutAttribute_UnderAFileAlias_IsReported() =>
        AnalyzerTest.VerifyAsync<KeepProbabilityOutOfRangeAnalyzer>("""
            using Keep = Dropout.DropoutAttribute;

            [Keep({|DRP001:1.5|})]
            public sealed partial class Hidden { }
            """);

    [Fact]
    public Task DropoutAttribute_UnderANamespaceAlias_FullyQualified_IsReported() =>
        AnalyzerTest.VerifyAsync<KeepProbabilityOutOfRangeAnalyzer>("""
            namespace Model
            {
                using Layer = Dropout.DropoutAttribute;

                [Layer({|DRP001:0.0|})]
                public sealed partial class Hidden { }

                [Dropout.Dropout({|DRP001:-1.0|})]
                public sealed partial class Other { }
            }
            """);

    [Fact]
    public Task RuntimeLayer_WithZeroKeepProbability_IsReported() =>
        AnalyzerTest.VerifyAsync<KeepProbabilityOutOfRangeAnalyzer>("""
            public static class Model
            {
                public static DropoutLayer Build() => new DropoutLayer({|DRP001:0|});
            }
            """);

    [Fact]
    public Task KernelCall_WithConstantAboveOne_IsReported() =>
        AnalyzerTest.VerifyAsync<KeepProbabilityOutOfRangeAnalyzer>("""
            public static class Model
            {
                private const double KeepProbability = 2.0;

                public static void Run(float[] values, ulong seed) =>
                    DropoutKernels.Forward(values, values, {|DRP001:KeepProbability|}, seed, 0);
            }
            """);

    [Fact]
    public Task NamedArgument_OutOfRange_IsReported() =>
        AnalyzerTest.VerifyAsync<KeepProbabilityOutOfRangeAnalyzer>("""
            [Dropout(keepProbability: {|DRP001:-1.0|}, Size = 128)]
            public sealed partial class Hidden { }
            """);

    // Issue 8 item 2: p below 2^-24 would make 1/p overflow or the mask threshold too coarse; the runtime refuses such p,
    // and so must this rule, for literals and for constant expressions alike.
    [Theory]
    [InlineData("double.Epsilon")]
    [InlineData("float.Epsilon")]
    [InlineData("1e-39")]
    [InlineData("1e-39f")]
    [InlineData("1e-8")]
    [InlineData("1.0 / 16777217.0")]
    [InlineData("5.9604644775390618E-08")]
    [InlineData("-double.Epsilon")]
    public Task DropoutAttribute_WithKeepProbabilityBelowTwoToTheMinus24_IsReported(string keepProbability) =>
        AnalyzerTest.VerifyAsync<KeepProbabilityOutOfRangeAnalyzer>($$"""
            [Dropout({|DRP001:{{keepProbability}}|})]
            public sealed partial class Hidden { }
            """);

    [Fact]
    public Task RuntimeCalls_WithTinyConstantKeepProbability_AreReported() =>
        AnalyzerTest.VerifyAsync<KeepProbabilityOutOfRangeAnalyzer>("""
            public static class Model
            {
                private const double Tiny = 1e-30;

                public static DropoutLayer Build() => new DropoutLayer({|DRP001:Tiny|});

                public static DropoutMaskSpec Spec() => DropoutMaskSpec.Create({|DRP001:double.Epsilon * 2|});
            }
            """);

    [Fact]
    public void Message_StatesTheSupportedRange()
    {
        string message = Dropout.Analyzers.DiagnosticDescriptors.KeepProbabilityOutOfRange.MessageFormat.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains("[2^-24, 1]", message, StringComparison.Ordinal);
        Assert.Contains("5.9604644775390625E-08", message, StringComparison.Ordinal);
    }

    [Fact]
    public void MinimumKeepProbability_IsTwoToTheMinus24()
    {
        // The value the runtime (DropoutMaskSpec.MinimumKeepProbability) and the generator (DRPG003) share.
        Assert.Equal(5.9604644775390625E-08, Math.ScaleB(1.0, -24));
        Assert.True(KeepProbabilityOutOfRangeAnalyzer.MinimumKeepProbability == Math.ScaleB(1.0, -24));
        Assert.True(KeepProbabilityOutOfRangeAnalyzer.IsSupported(Math.ScaleB(1.0, -24)));
        Assert.False(KeepProbabilityOutOfRangeAnalyzer.IsSupported(Math.BitDecrement(Math.ScaleB(1.0, -24))));
        Assert.False(KeepProbabilityOutOfRangeAnalyzer.IsSupported(double.NaN));
        Assert.False(KeepProbabilityOutOfRangeAnalyzer.IsSupported(Math.BitIncrement(1.0)));
    }

    [Theory]
    [InlineData("0.5")]
    [InlineData("1.0")]
    [InlineData("0.000001")]
    [InlineData("5.9604644775390625E-08")]
    [InlineData("1.0 / 16777216.0")]
    [InlineData("1.0 / (1 << 24)")]
    [InlineData("(float)(1.0 / 16777216.0)")]
    public Task DropoutAttribute_WithKeepProbabilityInSupportedRange_IsNotReported(string keepProbability) =>
        AnalyzerTest.VerifyAsync<KeepProbabilityOutOfRangeAnalyzer>($$"""
            [Dropout({{keepProbability}})]
            public sealed partial class Hidden { }
            """);

    [Fact]
    public Task RuntimeCall_WithNonConstantKeepProbability_IsNotReported() =>
        AnalyzerTest.VerifyAsync<KeepProbabilityOutOfRangeAnalyzer>("""
            public static class Model
            {
                public static DropoutLayer Build(double keepProbability) => new DropoutLayer(keepProbability);
            }
            """);

    [Fact]
    public Task OtherAttributeOrMethod_WithOutOfRangeNumber_IsNotReported() =>
        AnalyzerTest.VerifyAsync<KeepProbabilityOutOfRangeAnalyzer>("""
            [AttributeUsage(AttributeTargets.Class)]
            public sealed class LearningRateAttribute(double keepProbability) : Attribute { public double Value { get; } = keepProbability; }

            [LearningRate(3.0)]
            public sealed class Optimizer
            {
                public static double Scale(double keepProbability) => keepProbability;
                public static double Use() => Scale(2.0);
            }
            """);
}

public sealed class DropoutIsIdentityTests
{
    [Theory]
    [InlineData("1.0")]
    [InlineData("1")]
    [InlineData("1.0f")]
    public Task DropoutAttribute_WithKeepProbabilityOne_IsReported(string keepProbability) =>
        AnalyzerTest.VerifyAsync<DropoutIsIdentityAnalyzer>($$"""
            [Dropout({|DRP002:{{keepProbability}}|})]
            public sealed partial class Hidden { }
            """);

    [Fact]
    public Task RuntimeLayer_WithKeepProbabilityOne_IsReported() =>
        AnalyzerTest.VerifyAsync<DropoutIsIdentityAnalyzer>("""
            public static class Model
            {
                public static DropoutLayer Build(DropoutContext context) => new DropoutLayer({|DRP002:1.0|}, context);
            }
            """);

    [Theory]
    [InlineData("0.999")]
    [InlineData("0.5")]
    [InlineData("0.8")]
    public Task DropoutAttribute_WithKeepProbabilityBelowOne_IsNotReported(string keepProbability) =>
        AnalyzerTest.VerifyAsync<DropoutIsIdentityAnalyzer>($$"""
            [Dropout({{keepProbability}})]
            public sealed partial class Hidden { }
            """);

    // On a fused epilogue p = 1 leaves bias + activation (+ residual): a layer without dropout, not a useless site.
    [Fact]
    public Task FusedEpilogue_WithKeepProbabilityOne_IsNotReported() =>
        AnalyzerTest.VerifyAsync<DropoutIsIdentityAnalyzer>("""
            public sealed partial class Hidden
            {
                [Dropout(1.0, Activation = DropoutActivation.ReLU)]
                partial void Apply(ReadOnlySpan<float> preActivation, ReadOnlySpan<float> bias, Span<float> output);

                [Dropout(1.0)]
                partial void AddResidual(ReadOnlySpan<float> preActivation, ReadOnlySpan<float> residual, Span<float> output);
            }
            """);

    [Fact]
    public Task PlainDropoutMethod_WithKeepProbabilityOne_IsStillReported() =>
        AnalyzerTest.VerifyAsync<DropoutIsIdentityAnalyzer>("""
            public sealed partial class Hidden
            {
                [Dropout({|DRP002:1.0|})]
                partial void Drop(Span<float> values);
            }
            """);

    [Fact]
    public Task OutOfRangeValue_IsLeftToDrp001() =>
        AnalyzerTest.VerifyAsync<DropoutIsIdentityAnalyzer>("""
            [Dropout(1.5)]
            public sealed partial class Hidden { }
            """);
}
