using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// An autograd-style forward registers its backward as a closure (<c>output.SetBackward(() =&gt; ...)</c>). The closure is
/// the dropout's backward: one that finds the kept units by testing the output against zero loses the 1/(1 - rate) the
/// forward applied (DRP013); one that multiplies by the scale, or a closure registered for something else, is silent.
/// </summary>
public sealed class BackwardClosureTests
{
    private static string Layer(string registration, string gradient) => $$"""
        public sealed class Node(int size)
        {
            public float[] Data { get; } = new float[size];
            public float[] Grad { get; } = new float[size];
            public int Size => Data.Length;
            private Action? _backward;
            private Action? _release;
            public void SetBackward(Action backward) => _backward = backward;
            public void OnRelease(Action release) => _release = release;
        }

        public sealed class DropoutModule(float p)
        {
            private readonly Random _random = new(42);
            public bool Training { get; set; } = true;

            public Node Forward(Node input)
            {
                if (!Training) return input;
                var output = new Node(input.Size);
                float scale = 1f / (1f - p);
                for (int i = 0; i < input.Size; i++)
                {
                    if (_random.NextDouble() > p) output.Data[i] = input.Data[i] * scale;
                }

                output.{{registration}}(() =>
                {
                    for (int i = 0; i < input.Size; i++)
                    {
                        if (output.Data[i] != 0) input.Grad[i] += {{gradient}};
                    }
                });
                return output;
            }
        }
        """;

    [Fact]
    public Task ClosureBackward_TestingTheOutputForZero_WithoutTheScale_IsReported() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(
            Layer("SetBackward", "output.Grad[i]").Replace("if (output.Data[i] != 0)", "if ({|DRP013:output.Data[i] != 0|})"));

    [Fact]
    public Task ClosureBackward_WithTheScale_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Layer("SetBackward", "output.Grad[i] * scale"));

    [Fact]
    public Task ClosureRegisteredForSomethingElse_IsNotABackward() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Layer("OnRelease", "output.Grad[i]"));
}
