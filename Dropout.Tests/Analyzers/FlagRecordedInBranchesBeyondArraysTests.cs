using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// The flag an <c>if</c>/<c>else</c> decision records beside the activation is the mask a backward reads, also when it is
/// not an array: a <c>List&lt;bool&gt;</c> written through its indexer, or a member of the element's own object
/// (<c>_units[i].Dropped = true</c>). A backward that reads that flag without the forward's 1/(1 - p): DRP013; with it:
/// silent.
/// </summary>
public sealed class FlagRecordedInBranchesBeyondArraysTests
{
    private static string Layer(string flagDeclaration, string flag, string backwardScale) => $$"""
        public sealed class Unit
        {
            public bool Dropped;
        }

        public sealed class DropLayer
        {
            private readonly Random _random = new(7);
            private readonly double _dropProbability = 0.4;
            {{flagDeclaration}}
            public bool IsTraining { get; set; } = true;

            public double[] Forward(double[] input)
            {
                var output = new double[input.Length];
                for (int i = 0; i < input.Length; i++)
                {
                    if (!IsTraining)
                    {
                        output[i] = input[i];
                        continue;
                    }

                    if (_random.NextDouble() < _dropProbability)
                    {
                        {{flag}} = true;
                        output[i] = 0.0;
                    }
                    else
                    {
                        {{flag}} = false;
                        output[i] = input[i] / (1.0 - _dropProbability);
                    }
                }

                return output;
            }

            public double[] BACKWARD(double[] gradient)
            {
                var result = new double[gradient.Length];
                for (int i = 0; i < gradient.Length; i++) result[i] = {{flag}} ? 0.0 : gradient[i]{{backwardScale}};
                return result;
            }
        }
        """;

    private const string ListFlag = "private readonly List<bool> _isDropped = new List<bool>(new bool[64]);";
    private const string UnitFlag = "private readonly Unit[] _units = Enumerable.Range(0, 64).Select(_ => new Unit()).ToArray();";

    [Fact]
    public Task ListFlagInBranches_BackwardReadingItWithoutTheScale_IsReported() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Layer(ListFlag, "_isDropped[i]", "").Replace("BACKWARD", "{|DRP013:Backward|}"));

    [Fact]
    public Task ListFlagInBranches_BackwardReadingItWithTheScale_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Layer(ListFlag, "_isDropped[i]", " / (1.0 - _dropProbability)").Replace("BACKWARD", "Backward"));

    [Fact]
    public Task MemberFlagOfTheElementInBranches_BackwardReadingItWithoutTheScale_IsReported() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Layer(UnitFlag, "_units[i].Dropped", "").Replace("BACKWARD", "{|DRP013:Backward|}"));

    [Fact]
    public Task MemberFlagOfTheElementInBranches_BackwardReadingItWithTheScale_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Layer(UnitFlag, "_units[i].Dropped", " / (1.0 - _dropProbability)").Replace("BACKWARD", "Backward"));
}
