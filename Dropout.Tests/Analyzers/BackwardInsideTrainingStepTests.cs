using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// A training step that is its own backward: <c>Fit</c> runs the forward (which draws a mask, directly or through a
/// dropout helper handed a mask field), then calls backward helpers with weights and buffers the forward used below the
/// dropout. When no code reads the mask outside the dropout, the gradient flowed through the dropped units (DRP013 on the
/// step). A step that applies the mask, a dropout on the input (nothing below it to train), a step that trains only the
/// layers above the dropout, or a step that runs with the dropout off: silent.
/// </summary>
public sealed class BackwardInsideTrainingStepTests
{
    private const string MaskGradient = "for (int j = 0; j < 8; j++) gradDropped[j] = _keep[j] ? gradDropped[j] / (1 - Rate) : 0;";

    private static string Net(string step, string forward = DefaultForward) => $$"""
        public sealed class TwoLayerNet
        {
            private readonly Random _rng = new Random(5);
            private readonly double[,] _w1 = new double[4, 8];
            private readonly double[,] _w2 = new double[8, 2];
            private readonly double[] _hidden = new double[8];
            private readonly double[] _dropped = new double[8];
            private readonly double[] _out = new double[2];
            private readonly bool[] _keep = new bool[8];

            public double Rate { get; set; } = 0.2;
            public bool Training { get; set; }

            public double[] Predict(double[] x)
            {
                {{forward}}
                return _out;
            }

            private void ApplyDropout(double[] input, bool[] keep, double[] output)
            {
                double scale = 1.0 / (1.0 - Rate);
                for (int i = 0; i < input.Length; i++)
                {
                    if (Training)
                    {
                        keep[i] = _rng.NextDouble() >= Rate;
                        output[i] = keep[i] ? input[i] * scale : 0;
                    }
                    else
                    {
                        output[i] = input[i];
                    }
                }
            }

            public void Fit(double[] x, double[] target, double lr)
            {
                {{step}}
            }

            private static void Affine(double[] input, double[,] w, double[] output)
            {
                for (int j = 0; j < output.Length; j++)
                {
                    double sum = 0;
                    for (int i = 0; i < input.Length; i++) sum += input[i] * w[i, j];
                    output[j] = sum;
                }
            }

            private static double[] AffineBackward(double[] input, double[,] w, double[] gradOut, double lr)
            {
                var gradIn = new double[input.Length];
                for (int i = 0; i < input.Length; i++)
                    for (int j = 0; j < gradOut.Length; j++)
                    {
                        gradIn[i] += w[i, j] * gradOut[j];
                        w[i, j] -= lr * input[i] * gradOut[j];
                    }
                return gradIn;
            }

            private static void ReluBackward(double[] activated, double[] grad)
            {
                for (int i = 0; i < grad.Length; i++) if (activated[i] <= 0) grad[i] = 0;
            }
        }
        """;

    private const string DefaultForward = """
        Affine(x, _w1, _hidden);
        for (int j = 0; j < _hidden.Length; j++) _hidden[j] = Math.Max(0, _hidden[j]);
        ApplyDropout(_hidden, _keep, _dropped);
        Affine(_dropped, _w2, _out);
        """;

    private static string Step(string afterOutputGradient = "", string before = "Training = true;", string below = "ReluBackward(_hidden, gradDropped); AffineBackward(x, _w1, gradDropped, lr);") => $$"""
        {{before}}
        Predict(x);
        var gradOut = new double[2];
        for (int k = 0; k < 2; k++) gradOut[k] = _out[k] - target[k];
        double[] gradDropped = AffineBackward(_dropped, _w2, gradOut, lr);
        {{afterOutputGradient}}
        {{below}}
        Training = false;
        """;

    [Fact]
    public Task StepBackpropagatesBelowTheDropoutHelper_WithoutItsMask_IsReported() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Net(Step()).Replace("public void Fit(", "public void {|DRP013:Fit|}("));

    [Fact]
    public Task StepBackpropagatesBelowAnInlineDropoutWithAMaskField_WithoutItsMask_IsReported() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Net(Step(), forward: """
            Affine(x, _w1, _hidden);
            for (int j = 0; j < _hidden.Length; j++)
            {
                _keep[j] = !Training || _rng.NextDouble() >= Rate;
                _dropped[j] = _keep[j] ? Math.Max(0, _hidden[j]) / (Training ? 1 - Rate : 1) : 0;
            }
            Affine(_dropped, _w2, _out);
            """).Replace("public void Fit(", "public void {|DRP013:Fit|}("));

    [Fact]
    public Task StepThatMasksAndScalesTheGradientBeforeGoingBelow_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Net(Step(afterOutputGradient: MaskGradient)));

    [Fact]
    public Task DropoutOnTheInput_NothingBelowItToTrain_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Net(Step(below: ""), forward: """
            ApplyDropout(x, _keep, _hidden);
            Affine(_hidden, _w1, _dropped);
            Affine(_dropped, _w2, _out);
            """));

    [Fact]
    public Task StepThatTrainsOnlyTheLayerAboveTheDropout_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Net(Step(below: "")));

    [Fact]
    public Task StepThatRunsTheForwardWithDropoutOff_NeedsNoMask_AndIsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Net(Step(before: "Training = false;")));
}
