using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

public sealed class BackwardMaskMismatchTests
{
    [Fact]
    public Task KernelBackward_WithAnotherMask_IsReported() =>
        AnalyzerTest.VerifyAsync<BackwardMaskMismatchAnalyzer>("""
            public sealed class Block(ulong seed)
            {
                private readonly byte[] _forwardMask = new byte[16];
                private readonly byte[] _staleMask = new byte[16];

                public void Step(float[] x, float[] gradient)
                {
                    DropoutKernels.Forward(x, x, _forwardMask, 0.8, seed, 0);
                    {|DRP008:DropoutKernels.Backward(gradient, gradient, _staleMask, 0.8)|};
                }
            }
            """);

    // The rule recognizes the kernel calls by the called symbol, not by how the source spells them: a call through
    // `using static` or with a verbatim identifier (@Backward) is the same call (a guard for any syntactic pre-filter).
    [Fact]
    public Task KernelBackward_WithAnotherMask_CalledThroughUsingStaticAndVerbatimName_IsReported() =>
        AnalyzerTest.VerifyAsync<BackwardMaskMismatchAnalyzer>("""
            using static Dropout.DropoutKernels;

            public sealed class Block(ulong seed)
            {
                private readonly byte[] _forwardMask = new byte[16];
                private readonly byte[] _staleMask = new byte[16];

                public void Step(float[] x, float[] gradient)
                {
                    @Forward(x, x, _forwardMask, 0.8, seed, 0);
                    {|DRP008:@Backward(gradient, gradient, _staleMask, 0.8)|};
                }
            }
            """);

    [Fact]
    public Task RegeneratingBackward_WithFreshOffset_IsReported() =>
        AnalyzerTest.VerifyAsync<BackwardMaskMismatchAnalyzer>("""
            public static class Step
            {
                public static void Run(DropoutStream stream, float[] x, float[] gradient)
                {
                    DropoutKernels.Forward(x, x, 0.8, stream.Key, stream.Reserve(x.Length));
                    {|DRP008:DropoutKernels.Backward(gradient, gradient, 0.8, stream.Key, stream.Reserve(gradient.Length))|};
                }

                public static void Back(DropoutStream stream, float[] gradient) =>
                    {|DRP008:DropoutKernels.Backward(gradient, gradient, 0.8, stream.Key, stream.Position)|};
            }
            """);

    [Fact]
    public Task RegeneratingBackward_WithOtherOffsetThanForward_IsReported() =>
        AnalyzerTest.VerifyAsync<BackwardMaskMismatchAnalyzer>("""
            public static class Step
            {
                public static void Run(float[] x, float[] gradient, ulong seed)
                {
                    DropoutKernels.Forward(x, x, 0.5, seed, 0);
                    {|DRP008:DropoutKernels.Backward(gradient, gradient, 0.5, seed, 4096)|};
                }
            }
            """);

    [Fact]
    public Task SecondBackwardAfterTwoForwards_IsReported() =>
        AnalyzerTest.VerifyAsync<BackwardMaskMismatchAnalyzer>("""
            public static class Siamese
            {
                public static void Step(DropoutLayer shared, float[] left, float[] right, float[] gradLeft, float[] gradRight)
                {
                    shared.Forward(left);
                    shared.Forward(right);
                    shared.Backward(gradRight);
                    {|DRP008:shared.Backward(gradLeft)|};
                }
            }
            """);

    [Fact]
    public Task BackwardLoopAfterForwardLoop_OnOneLayer_IsReported() =>
        AnalyzerTest.VerifyAsync<BackwardMaskMismatchAnalyzer>("""
            public static class Recurrent
            {
                public static void Bptt(DropoutLayer dropout, float[][] states, float[][] gradients)
                {
                    for (int t = 0; t < states.Length; t++)
                        dropout.Forward(states[t]);
                    for (int t = states.Length - 1; t >= 0; t--)
                        {|DRP008:dropout.Backward(gradients[t])|};
                }
            }
            """);

    [Fact]
    public Task KernelBackward_WithForwardsMask_IsNotReported() =>
        AnalyzerTest.VerifyAsync<BackwardMaskMismatchAnalyzer>("""
            public sealed class Block(ulong seed)
            {
                private readonly byte[] _mask = new byte[16];

                public void Step(float[] x, float[] gradient)
                {
                    DropoutKernels.Forward(x, x, _mask.AsSpan(), 0.8, seed, 0);
                    DropoutKernels.Backward(gradient, gradient, _mask, 0.8);
                }

                public static void BackwardOnly(float[] gradient, byte[] recorded) =>
                    DropoutKernels.Backward(gradient, gradient, recorded, 0.8);
            }
            """);

    [Fact]
    public Task RegeneratingBackward_WithForwardsOffset_IsNotReported() =>
        AnalyzerTest.VerifyAsync<BackwardMaskMismatchAnalyzer>("""
            public static class Step
            {
                public static void Run(DropoutStream stream, float[] x, float[] gradient)
                {
                    ulong offset = stream.Reserve(x.Length);
                    DropoutKernels.Forward(x, x, 0.8, stream.Key, offset);
                    DropoutKernels.Backward(gradient, gradient, 0.8, stream.Key, offset);
                }

                public static void Back(DropoutStream stream, float[] gradient) =>
                    DropoutKernels.Backward(gradient, gradient, 0.8, stream.Key, stream.LastOffset);
            }
            """);

    [Fact]
    public Task AlternatingForwardAndBackward_OrSeparateLayers_IsNotReported() =>
        AnalyzerTest.VerifyAsync<BackwardMaskMismatchAnalyzer>("""
            public static class Trainer
            {
                public static void Steps(DropoutLayer a, DropoutLayer b, float[][] batch, float[] gradient)
                {
                    foreach (float[] x in batch)
                    {
                        a.Forward(x);
                        a.Backward(gradient);
                    }

                    a.Forward(batch[0]);
                    b.Forward(batch[1]);
                    b.Backward(gradient);
                    a.Backward(gradient);
                }
            }
            """);
}
