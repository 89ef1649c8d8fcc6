using Dropout.Analyzers;
using Dropout.Analyzers.CodeFixes;

namespace Dropout.Tests.Analyzers;

public sealed class KeepProbabilityLooksLikeDropRateTests
{
    [Theory]
    [InlineData("0.2")]
    [InlineData("0.1")]
    [InlineData("0.49")]
    public Task DropoutAttribute_WithKeepProbabilityBelowHalf_IsReported(string keepProbability) =>
        AnalyzerTest.VerifyAsync<KeepProbabilityLooksLikeDropRateAnalyzer>($$"""
            [Dropout({|DRP003:{{keepProbability}}|})]
            public sealed partial class Hidden { }
            """);

    [Fact]
    public Task RuntimeLayer_WithSmallConstantKeepProbability_IsReported() =>
        AnalyzerTest.VerifyAsync<KeepProbabilityLooksLikeDropRateAnalyzer>("""
            public static class Model
            {
                private const double DropRate = 0.3;
                public static DropoutLayer Build(DropoutContext context) => new DropoutLayer({|DRP003:DropRate|}, context);
            }
            """);

    [Theory]
    [InlineData("0.5")]
    [InlineData("0.8")]
    [InlineData("1.0")]
    public Task DropoutAttribute_WithKeepProbabilityAtLeastHalf_IsNotReported(string keepProbability) =>
        AnalyzerTest.VerifyAsync<KeepProbabilityLooksLikeDropRateAnalyzer>($$"""
            [Dropout({{keepProbability}})]
            public sealed partial class Hidden { }
            """);

    [Fact]
    public Task OutOfRangeValues_AreLeftToDrp001() =>
        AnalyzerTest.VerifyAsync<KeepProbabilityLooksLikeDropRateAnalyzer>("""
            [Dropout(0.0)] public sealed partial class A { }
            [Dropout(-0.2)] public sealed partial class B { }
            [Dropout(double.Epsilon)] public sealed partial class C { }
            [Dropout(1e-30)] public sealed partial class D { }
            """);

    [Fact]
    public Task SmallestSupportedValue_IsReported() =>
        AnalyzerTest.VerifyAsync<KeepProbabilityLooksLikeDropRateAnalyzer>("""
            [Dropout({|DRP003:1.0 / 16777216.0|})] public sealed partial class A { }
            """);

    [Fact]
    public Task ConfiguredThreshold_ReportsValuesBelowIt() =>
        AnalyzerTest.VerifyAsync<KeepProbabilityLooksLikeDropRateAnalyzer>(
            """
            [Dropout({|DRP003:0.6|})] public sealed partial class A { }
            [Dropout(0.7)] public sealed partial class B { }
            """,
            editorConfig: "dropout_toolkit.keep_probability_warning_threshold = 0.7");

    [Fact]
    public Task ConfiguredThreshold_SilencesValuesAboveIt() =>
        AnalyzerTest.VerifyAsync<KeepProbabilityLooksLikeDropRateAnalyzer>(
            """
            [Dropout(0.3)] public sealed partial class A { }
            [Dropout({|DRP003:0.1|})] public sealed partial class B { }
            """,
            editorConfig: "dropout_toolkit.keep_probability_warning_threshold = 0.25");

    [Fact]
    public Task Severity_CanBeTurnedOffInEditorConfig() =>
        AnalyzerTest.VerifyAsync<KeepProbabilityLooksLikeDropRateAnalyzer>(
            """
            [Dropout(0.3)] public sealed partial class A { }
            """,
            editorConfig: "dotnet_diagnostic.DRP003.severity = none");

    [Fact]
    public Task Fix_ReplacesLiteralByItsComplement() =>
        AnalyzerTest.VerifyFixAsync<KeepProbabilityLooksLikeDropRateAnalyzer, KeepProbabilityLooksLikeDropRateCodeFixProvider>(
            """
            [Dropout({|DRP003:0.2|})] public sealed partial class A { }
            [Dropout({|DRP003:0.35|}, Size = 64)] public sealed partial class B { }
            """,
            """
            [Dropout(0.8)] public sealed partial class A { }
            [Dropout(0.65, Size = 64)] public sealed partial class B { }
            """);

    // Issue 8 item 10: with the threshold above 0.5, 1 - p can be reported again or be p itself; no fix is offered then.
    [Fact]
    public Task Fix_IsNotOfferedWhenTheComplementWouldBeReportedOrEqual()
    {
        const string source = """
            [Dropout({|DRP003:0.5|})] public sealed partial class Half { }
            [Dropout({|DRP003:0.4|})] public sealed partial class Forty { }
            public static class Model
            {
                private const double DropRate = 0.35;
                public static DropoutLayer Build() => new DropoutLayer({|DRP003:DropRate|});
            }
            """;
        return AnalyzerTest.VerifyFixAsync<KeepProbabilityLooksLikeDropRateAnalyzer, KeepProbabilityLooksLikeDropRateCodeFixProvider>(
            source, source, editorConfig: "dropout_toolkit.keep_probability_warning_threshold = 0.7");
    }

    [Fact]
    public Task Fix_WithThresholdAboveHalf_IsOfferedWhenTheComplementClearsIt() =>
        AnalyzerTest.VerifyFixAsync<KeepProbabilityLooksLikeDropRateAnalyzer, KeepProbabilityLooksLikeDropRateCodeFixProvider>(
            """
            [Dropout({|DRP003:0.2|})] public sealed partial class A { }
            [Dropout({|DRP003:0.25f|})] public sealed partial class B { }
            """,
            """
            [Dropout(0.8)] public sealed partial class A { }
            [Dropout(0.75f)] public sealed partial class B { }
            """,
            editorConfig: "dropout_toolkit.keep_probability_warning_threshold = 0.7");

    [Fact]
    public Task Fix_SubtractsNamedConstantFromOne() =>
        AnalyzerTest.VerifyFixAsync<KeepProbabilityLooksLikeDropRateAnalyzer, KeepProbabilityLooksLikeDropRateCodeFixProvider>(
            """
            public static class Model
            {
                private const double DropRate = 0.3;
                public static DropoutLayer Build() => new DropoutLayer({|DRP003:DropRate|});
                public static DropoutLayer BuildHalf() => new DropoutLayer({|DRP003:DropRate / 2|});
            }
            """,
            """
            public static class Model
            {
                private const double DropRate = 0.3;
                public static DropoutLayer Build() => new DropoutLayer(1 - DropRate);
                public static DropoutLayer BuildHalf() => new DropoutLayer(1 - (DropRate / 2));
            }
            """);
}
