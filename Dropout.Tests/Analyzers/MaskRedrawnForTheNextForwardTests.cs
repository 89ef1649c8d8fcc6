using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// A backward that computes the gradient with the forward's stored mask and then draws the mask of the next forward
/// into the same field reuses the forward's mask: it is not reported as drawing a new one (DRP013). A backward whose
/// gradient uses a mask it draws itself still is. The layer's missing scale is then what is reported (DRP004), and a
/// weight update that multiplies a whole gradient matrix does not count as an unknown inference scale.
/// </summary>
public sealed class MaskRedrawnForTheNextForwardTests
{
    private const string Column = """
        public sealed class Column(double[] values)
        {
            public double[] Values { get; } = values;
            public Column Times(Column other) { var r = new double[Values.Length]; for (int i = 0; i < r.Length; i++) r[i] = Values[i] * other.Values[i]; return new Column(r); }
            public static Column operator *(double factor, Column column) => new Column(column.Values.Select(v => v * factor).ToArray());
            public static Column operator +(Column a, Column b) => new Column(a.Values.Zip(b.Values, (x, y) => x + y).ToArray());
        }
        """;

    private static string Layer(string backwardBody) => Column + $$"""
        public sealed class PerceptronLayer
        {
            private readonly Random _random = new Random(1);
            private readonly int _outputs;
            private Column _weights = new Column(new double[4]);
            private Column _accumulated = new Column(new double[4]);
            private Column _dropMask;

            public PerceptronLayer(int outputs, double dropoutRate)
            {
                _outputs = outputs;
                _dropMask = RerollMask(dropoutRate);
            }

            public double[] FeedForward(double[] activations, bool useDropout)
            {
                Column output = new Column(activations);
                if (useDropout) output = output.Times(_dropMask);
                return output.Values;
            }

            public double[] PropagateBackward(double[] errors, double dropoutRate)
            {
        {{backwardBody}}
            }

            public void UpdateWeights(double learningRate)
            {
                _weights = _weights + learningRate * _accumulated;
            }

            private Column RerollMask(double dropoutRate)
            {
                var d = new List<double>();
                for (int i = 0; i < _outputs; i++) d.Add({|DRP004:_random.NextDouble() < dropoutRate|} ? 0 : 1);
                return new Column(d.ToArray());
            }
        }
        """;

    [Fact]
    public Task GradientByTheStoredMask_ThenTheNextMaskDrawn_IsNotAReportedRedraw() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Layer("""
                    Column gradient = _dropMask.Times(new Column(errors));
                    _accumulated = _accumulated + gradient;
                    var d = new List<double>();
                    for (int i = 0; i < _outputs; i++) d.Add(_random.NextDouble() < dropoutRate ? 0 : 1);
                    _dropMask = new Column(d.ToArray());
                    return gradient.Values;
            """).Replace("{|DRP004:", string.Empty).Replace("dropoutRate|} ? 0", "dropoutRate ? 0"));

    [Fact]
    public Task GradientByAMaskTheBackwardDraws_IsAReportedRedraw() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Layer("""
                    var d = new List<double>();
                    for (int i = 0; i < _outputs; i++) d.Add({|DRP013:_random.NextDouble() < dropoutRate|} ? 0 : 1);
                    _dropMask = new Column(d.ToArray());
                    Column gradient = _dropMask.Times(new Column(errors));
                    return gradient.Values;
            """).Replace("{|DRP004:", string.Empty).Replace("dropoutRate|} ? 0 : 1);\n        return", "dropoutRate ? 0 : 1);\n        return"));

    [Fact]
    public Task UnscaledMaskLayer_WithAMatrixWeightUpdate_IsReportedForTheMissingScale() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(Layer("""
                    Column gradient = _dropMask.Times(new Column(errors));
                    _accumulated = _accumulated + gradient;
                    return gradient.Values;
            """));
}
