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

    [Theory]
    [InlineData("0.5")]
    [InlineData("1.0")]
    [InlineData("0.000001")]
    [InlineData("double.Epsilon")]
    public Task DropoutAttribute_WithKeepProbabilityInUnitInterval_IsNotReported(string keepProbability) =>
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

    [Fact]
    public Task OutOfRangeValue_IsLeftToDrp001() =>
        AnalyzerTest.VerifyAsync<DropoutIsIdentityAnalyzer>("""
            [Dropout(1.5)]
            public sealed partial class Hidden { }
            """);
}
