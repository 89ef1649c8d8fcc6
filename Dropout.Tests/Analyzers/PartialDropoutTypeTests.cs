using Dropout.Analyzers;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// A dropout class split into <c>partial</c> declarations in two files is one type to the model: the probability, the
/// scale and the constructor in one file, the draw and the forward in the other. A mistake is reported once, in the file
/// where it is (the test framework fails on a duplicate), the correct twin split the same way is silent, and a scale
/// defined in the other file counts as the scale.
/// </summary>
public sealed class PartialDropoutTypeTests
{
    private const string StateWithoutScale = """
        public sealed partial class DropoutByHand
        {
            private readonly float _rate;
            private readonly Random _random = new(3);
            public DropoutByHand(float rate) { _rate = rate; }
        }
        """;

    private const string StateWithScale = """
        public sealed partial class DropoutByHand
        {
            private readonly float _rate;
            private readonly float _scale;
            private readonly Random _random = new(3);
            public DropoutByHand(float rate) { _rate = rate; _scale = SCALE; }
        }
        """;

    private const string ForwardWithoutScale = """
        public sealed partial class DropoutByHand
        {
            public float[] Forward(float[] input, bool training)
            {
                if (!training) return input;
                var output = new float[input.Length];
                for (int i = 0; i < input.Length; i++)
                {
                    output[i] = MARK_START_random.NextSingle() < _rateMARK_END ? 0f : input[i];
                }
                return output;
            }
        }
        """;

    private const string ForwardWithScale = """
        public sealed partial class DropoutByHand
        {
            public float[] Forward(float[] input, bool training)
            {
                if (!training) return input;
                var output = new float[input.Length];
                for (int i = 0; i < input.Length; i++)
                {
                    var r = _random.NextSingle();
                    output[i] = r < _rate ? 0f : MARK_STARTinput[i] * _scaleMARK_END;
                }
                return output;
            }
        }
        """;

    [Fact]
    public Task MissingScale_SplitOverTwoFiles_IsReportedOnceWhereTheDrawIs() =>
        VerifyAsync<MissingInvertedScalingAnalyzer>(
            ("State.cs", StateWithoutScale),
            ("Forward.cs", Mark(ForwardWithoutScale, "DRP004")));

    [Fact]
    public Task MissingScale_SplitOverTwoFiles_FilesInTheOtherOrder_IsReportedOnce() =>
        VerifyAsync<MissingInvertedScalingAnalyzer>(
            ("A_Forward.cs", Mark(ForwardWithoutScale, "DRP004")),
            ("B_State.cs", StateWithoutScale));

    [Fact]
    public Task CorrectScale_DefinedInTheOtherFile_IsSilent() =>
        VerifyAsync<MissingInvertedScalingAnalyzer>(
            ("State.cs", StateWithScale.Replace("SCALE", "1f / (1f - rate)")),
            ("Forward.cs", Mark(ForwardWithScale, null)));

    [Fact]
    public Task CorrectScale_DefinedInTheOtherFile_NoRuleReportsIt() =>
        VerifyAllHandWrittenRulesSilentAsync(
            ("State.cs", StateWithScale.Replace("SCALE", "1f / (1f - rate)")),
            ("Forward.cs", Mark(ForwardWithScale, null)));

    [Fact]
    public Task ScaleOfOneOverTheRate_DefinedInTheOtherFile_IsReportedWhereItIsApplied() =>
        VerifyAsync<DropRateUsedAsScaleAnalyzer>(
            ("State.cs", StateWithScale.Replace("SCALE", "1f / rate")),
            ("Forward.cs", Mark(ForwardWithScale, "DRP012")));

    [Fact]
    public Task ScaleOfOneOverTheRate_InOneFile_IsReportedAsBefore() =>
        VerifyAsync<DropRateUsedAsScaleAnalyzer>(
            ("Layer.cs", StateWithScale.Replace("SCALE", "1f / rate").Replace("partial ", string.Empty, StringComparison.Ordinal).TrimEnd().TrimEnd('}')
                + Body(Mark(ForwardWithScale, "DRP012")) + "}\n"));

    // The backward's span in its file covers the offsets of the forward's draw in the other file (a long comment): a span
    // test across two files must not read the draw as the backward's own (a redrawn mask, DRP013).
    [Fact]
    public Task CorrectBackward_InTheOtherFile_OverlappingTheDrawsOffsets_IsSilent() =>
        VerifyAllHandWrittenRulesSilentAsync(
            ("Forward.cs", """
                public sealed partial class MaskedDropout
                {
                    private readonly float _keep;
                    private readonly float[] _mask;
                    private readonly Random _random = new(3);
                    public MaskedDropout(float keep, int n) { _keep = keep; _mask = new float[n]; }
                    public void Forward(float[] x, bool training)
                    {
                        if (!training) return;
                        for (int i = 0; i < x.Length; i++)
                        {
                            _mask[i] = _random.NextSingle() < _keep ? 1f / _keep : 0f;
                            x[i] *= _mask[i];
                        }
                    }
                }
                """),
            ("Backward.cs", """
                public sealed partial class MaskedDropout
                {
                    public void Backward(float[] gradient)
                    {
                        // PADDING
                        for (int i = 0; i < gradient.Length; i++)
                        {
                            gradient[i] *= _mask[i];
                        }
                    }
                }
                """.Replace("PADDING", new string('-', 2000), StringComparison.Ordinal)));

    // The other part of the type mentions the type's name (its own declaration): that is not a use from another file
    // that could call the forward only in training.
    [Fact]
    public Task ForwardThatAlwaysDrops_SplitOverTwoFiles_HasNoInferencePath() =>
        VerifyAsync<DropoutWithoutInferencePathAnalyzer>(
            ("State.cs", """
                public partial class DropoutLayer
                {
                    private readonly float _rate;
                    private readonly Random _random = new Random(1);
                    public DropoutLayer(float rate) { _rate = rate; }
                }
                """),
            ("Forward.cs", """
                public partial class DropoutLayer
                {
                    public float[] Forward(float[] input)
                    {
                        var output = new float[input.Length];
                        for (int i = 0; i < input.Length; i++)
                            output[i] = {|DRP014:_random.NextSingle() < _rate|} ? 0f : input[i] / (1f - _rate);
                        return output;
                    }
                }
                """));

    [Fact]
    public Task ForwardThatAlwaysDrops_UsedFromAThirdFile_IsLeftToThatFile() =>
        VerifyAsync<DropoutWithoutInferencePathAnalyzer>(
            ("State.cs", """
                public partial class DropoutLayer
                {
                    private readonly float _rate;
                    private readonly Random _random = new Random(1);
                    public DropoutLayer(float rate) { _rate = rate; }
                }
                """),
            ("Forward.cs", """
                public partial class DropoutLayer
                {
                    public float[] Forward(float[] input)
                    {
                        var output = new float[input.Length];
                        for (int i = 0; i < input.Length; i++)
                            output[i] = _random.NextSingle() < _rate ? 0f : input[i] / (1f - _rate);
                        return output;
                    }
                }
                """),
            ("Network.cs", """
                public sealed class Network
                {
                    private readonly DropoutLayer _dropout = new DropoutLayer(0.5f);
                    public float[] Train(float[] x) => _dropout.Forward(x);
                }
                """));

    // A loop body extracted into a private helper, the helper in one part and the loop that calls it in the other: the
    // helper still decides per element (its every call is in a loop), and the missing scale is reported in the helper.
    [Fact]
    public Task ExtractedHelper_CalledFromALoopInTheOtherFile_IsPerElement() =>
        VerifyAsync<MissingInvertedScalingAnalyzer>(
            ("Forward.cs", """
                public sealed partial class HelperDropout
                {
                    private readonly float _rate;
                    private readonly Random _random = new(3);
                    public HelperDropout(float rate) { _rate = rate; }
                    public void Forward(float[] x, bool training)
                    {
                        if (!training) return;
                        for (int i = 0; i < x.Length; i++) DropOne(x, i);
                    }
                }
                """),
            ("Helper.cs", """
                public sealed partial class HelperDropout
                {
                    private void DropOne(float[] x, int i)
                    {
                        if ({|DRP004:_random.NextSingle() < _rate|}) x[i] = 0f;
                    }
                }
                """));

    private static string Mark(string source, string? id) =>
        id is null
            ? source.Replace("MARK_START", string.Empty, StringComparison.Ordinal).Replace("MARK_END", string.Empty, StringComparison.Ordinal)
            : source.Replace("MARK_START", "{|" + id + ":", StringComparison.Ordinal).Replace("MARK_END", "|}", StringComparison.Ordinal);

    // The members of a partial declaration, without its header and closing brace.
    private static string Body(string declaration)
    {
        int open = declaration.IndexOf('{', StringComparison.Ordinal);
        int close = declaration.LastIndexOf('}');
        return declaration.Substring(open + 1, close - open - 1);
    }

    private static Task VerifyAsync<TAnalyzer>(params (string Name, string Source)[] files)
        where TAnalyzer : DiagnosticAnalyzer, new()
    {
        var test = new CSharpAnalyzerTest<TAnalyzer, DefaultVerifier>();
        foreach ((string name, string source) in files)
        {
            test.TestState.Sources.Add(("/" + name, AnalyzerTest.Usings + source));
        }

        test.TestState.ReferenceAssemblies = ReferenceAssemblies.Net.Net80;
        test.TestState.AdditionalReferences.Add(AnalyzerTest.RuntimeReference);
        return test.RunAsync();
    }

    private static async Task VerifyAllHandWrittenRulesSilentAsync(params (string Name, string Source)[] files)
    {
        await VerifyAsync<MissingInvertedScalingAnalyzer>(files);
        await VerifyAsync<DoubleScalingAnalyzer>(files);
        await VerifyAsync<DropRateUsedAsScaleAnalyzer>(files);
        await VerifyAsync<KeptValuesMultipliedByKeepProbabilityAnalyzer>(files);
        await VerifyAsync<InvertedScaleAtInferenceAnalyzer>(files);
        await VerifyAsync<DropoutWithoutInferencePathAnalyzer>(files);
        await VerifyAsync<DrawKeepsWithDropRateAnalyzer>(files);
        await VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(files);
    }
}
