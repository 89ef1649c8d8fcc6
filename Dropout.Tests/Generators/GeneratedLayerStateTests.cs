using System.Reflection;

namespace Dropout.Tests.Generators;

/// <summary>
/// The state a generated site keeps between forward and backward (issue 8 item 3, issue 10 §3): a rejected call
/// changes nothing, backward applies exactly its own forward call's mask, also after the instance was copied (record
/// <c>with</c>, struct copy, <c>MemberwiseClone</c>), and never a mask of another element type.
/// </summary>
public sealed class GeneratedLayerStateTests
{
    private const ulong Seed = 0xC0FFEE;
    private const int Length = 300;

    private static readonly Lazy<Assembly> Layers = new(() => GeneratorHarness.CompileAndLoad("""
        using System;
        using System.Collections.Generic;
        using Dropout;
        namespace Probes;

        [Dropout(0.5)] public sealed partial class Bits { }
        [Dropout(0.5, MaskStorage = DropoutMaskStorage.Regenerate)] public sealed partial class Regen { }
        [Dropout(0.5, Size = 300)] public sealed partial class Fixed { }
        [Dropout(1.0)] public sealed partial class Identity { }
        public sealed partial class Methods { [Dropout(0.5)] public partial void Drop(ReadOnlySpan<float> input, Span<float> output); }

        [Dropout(0.5)] public sealed partial record BitsRecord(int Width);
        [Dropout(0.5)] public partial struct BitsStruct { }
        [Dropout(0.5)] public sealed partial class BitsClass { public BitsClass Copy() => (BitsClass)MemberwiseClone(); }
        public sealed partial record MethodRecord(int Width) { [Dropout(0.5)] public partial void Drop(Span<float> x); }

        public static class Probe
        {
            private static float[] Ones(int n) { var a = new float[n]; Array.Fill(a, 1f); return a; }

            private static string Try(Action action)
            {
                try { action(); return "ok"; }
                catch (Exception e) { return e.GetType().Name; }
            }

            // A valid forward call, then rejected ones, then backward: it must apply the valid call's mask, and the
            // stream must not have moved. Returns the outcomes, the stream positions around the rejected calls, the
            // gradient, and the output of one more forward call (which must be the stream's second reservation).
            public static object[] RejectedForwardChangesNothing(string kind, ulong seed)
            {
                var context = new DropoutContext(seed);
                var outcomes = new List<string>();
                ulong before = 0, after = 0;
                float[] gradient = Ones(300), second = Ones(300);
                float[] data = Ones(600);
                switch (kind)
                {
                    case "Bits":
                    {
                        var layer = new Bits { DropoutContext = context };
                        layer.DropoutForward(Ones(300));
                        before = layer.DropoutStream.Position;
                        outcomes.Add(Try(() => layer.DropoutForward(new float[300], new float[299])));
                        outcomes.Add(Try(() => layer.DropoutForward(data.AsSpan(0, 300), data.AsSpan(1, 300))));
                        outcomes.Add(Try(() => layer.DropoutForward(new double[64], new double[65])));
                        after = layer.DropoutStream.Position;
                        layer.DropoutBackward(gradient);
                        layer.DropoutForward(second);
                        break;
                    }
                    case "Regen":
                    {
                        var layer = new Regen { DropoutContext = context };
                        layer.DropoutForward(Ones(300));
                        before = layer.DropoutStream.Position;
                        outcomes.Add(Try(() => layer.DropoutForward(new float[300], new float[299])));
                        outcomes.Add(Try(() => layer.DropoutForward(data.AsSpan(0, 300), data.AsSpan(1, 300))));
                        outcomes.Add(Try(() => layer.DropoutForward(new double[64], new double[65])));
                        after = layer.DropoutStream.Position;
                        layer.DropoutBackward(gradient);
                        layer.DropoutForward(second);
                        break;
                    }
                    case "Fixed":
                    {
                        var layer = new Fixed { DropoutContext = context };
                        layer.DropoutForward(Ones(300));
                        before = layer.DropoutStream.Position;
                        outcomes.Add(Try(() => layer.DropoutForward(new float[299])));
                        outcomes.Add(Try(() => layer.DropoutForward(data.AsSpan(0, 300), data.AsSpan(1, 300))));
                        outcomes.Add(Try(() => layer.DropoutForward(new double[64])));
                        after = layer.DropoutStream.Position;
                        layer.DropoutBackward(gradient);
                        layer.DropoutForward(second);
                        break;
                    }
                    default:
                    {
                        var layer = new Methods { DropoutContext = context };
                        float[] first = Ones(300);
                        layer.Drop(first, first);
                        outcomes.Add(Try(() => layer.Drop(new float[300], new float[299])));
                        outcomes.Add(Try(() => layer.Drop(data.AsSpan(0, 300), data.AsSpan(1, 300))));
                        outcomes.Add(Try(() => layer.Drop(new float[64], new float[65])));
                        layer.DropBackward(gradient, gradient);
                        layer.Drop(second, second);
                        break;
                    }
                }

                return new object[] { outcomes.ToArray(), before, after, gradient, second };
            }

            public static string[] ElementTypeMismatch()
            {
                var bits = new Bits { DropoutContext = new DropoutContext(1) };
                var regen = new Regen { DropoutContext = new DropoutContext(1) };
                var outcomes = new List<string>();
                bits.DropoutForward(new float[64]);
                outcomes.Add(Try(() => bits.DropoutBackward(new double[64])));
                outcomes.Add(Try(() => bits.DropoutBackward(new float[64])));
                regen.DropoutForward(new double[64]);
                outcomes.Add(Try(() => regen.DropoutBackward(new float[64])));
                outcomes.Add(Try(() => regen.DropoutBackward(new double[64])));
                using (bits.DropoutContext.Inference())
                {
                    bits.DropoutForward(new double[64]);
                }

                outcomes.Add(Try(() => bits.DropoutBackward(new float[64])));
                outcomes.Add(Try(() => new Bits().DropoutBackward(new float[64])));
                return outcomes.ToArray();
            }

            public static string[] PartialOverlapWithoutDropout()
            {
                var outcomes = new List<string>();
                float[] data = new float[200];
                var identity = new Identity();
                outcomes.Add(Try(() => identity.DropoutForward(data.AsSpan(0, 100), data.AsSpan(1, 100))));
                outcomes.Add(Try(() => identity.DropoutBackward(data.AsSpan(0, 100), data.AsSpan(50, 100))));
                outcomes.Add(Try(() => identity.DropoutForward(data.AsSpan(0, 100), data.AsSpan(0, 100))));
                var context = new DropoutContext(2);
                var bits = new Bits { DropoutContext = context };
                using (context.Inference())
                {
                    outcomes.Add(Try(() => bits.DropoutForward(data.AsSpan(0, 100), data.AsSpan(3, 100))));
                    outcomes.Add(Try(() => bits.DropoutForward(data.AsSpan(0, 100), data.AsSpan(100, 100))));
                }

                return outcomes.ToArray();
            }

            // Forward on the original, forward on the copy, then backward on both: each must get its own call's mask.
            // Returns (original's offset, copy's offset, original's gradient, copy's gradient).
            public static object[] Copy(string kind, ulong seed)
            {
                var context = new DropoutContext(seed);
                float[] gradientOriginal = Ones(300), gradientCopy = Ones(300);
                ulong offsetOriginal, offsetCopy;
                switch (kind)
                {
                    case "record":
                    {
                        var original = new BitsRecord(1) { DropoutContext = context };
                        original.DropoutForward(Ones(300));
                        offsetOriginal = original.DropoutStream.LastOffset;
                        var copy = original with { Width = 2 };
                        copy.DropoutForward(Ones(300));
                        offsetCopy = copy.DropoutStream.LastOffset;
                        original.DropoutBackward(gradientOriginal);
                        copy.DropoutBackward(gradientCopy);
                        break;
                    }
                    case "struct":
                    {
                        var original = new BitsStruct { DropoutContext = context };
                        original.DropoutForward(Ones(300));
                        offsetOriginal = original.DropoutStream.LastOffset;
                        BitsStruct copy = original;
                        copy.DropoutForward(Ones(300));
                        offsetCopy = copy.DropoutStream.LastOffset;
                        original.DropoutBackward(gradientOriginal);
                        copy.DropoutBackward(gradientCopy);
                        break;
                    }
                    case "class":
                    {
                        var original = new BitsClass { DropoutContext = context };
                        original.DropoutForward(Ones(300));
                        offsetOriginal = original.DropoutStream.LastOffset;
                        BitsClass copy = original.Copy();
                        copy.DropoutForward(Ones(300));
                        offsetCopy = copy.DropoutStream.LastOffset;
                        original.DropoutBackward(gradientOriginal);
                        copy.DropoutBackward(gradientCopy);
                        break;
                    }
                    default:
                    {
                        var original = new MethodRecord(1) { DropoutContext = context };
                        original.Drop(Ones(300));
                        offsetOriginal = 0;
                        var copy = original with { Width = 2 };
                        copy.Drop(Ones(300));
                        offsetCopy = 2048;
                        original.DropBackward(gradientOriginal);
                        copy.DropBackward(gradientCopy);
                        break;
                    }
                }

                return new object[] { offsetOriginal, offsetCopy, gradientOriginal, gradientCopy };
            }
        }
        """));

    private static float[] Mask(ulong offset)
    {
        float[] expected = new float[Length];
        DropoutKernels.Forward(Enumerable.Repeat(1f, Length).ToArray(), expected, 0.5, DropoutContext.DeriveSiteKey(Seed, 0), offset);
        return expected;
    }

    [Theory]
    [InlineData("Bits")]
    [InlineData("Regen")]
    [InlineData("Fixed")]
    [InlineData("Method")]
    public void RejectedForwardCall_ChangesNoState_BackwardStillAppliesThePreviousMask(string kind)
    {
        var result = (object[])GeneratorHarness.Invoke(Layers.Value, "Probes.Probe", "RejectedForwardChangesNothing", kind, Seed)!;
        Assert.Equal(["ArgumentException", "ArgumentException", "ArgumentException"], (string[])result[0]);
        Assert.Equal((ulong)result[1], (ulong)result[2]);
        GeneratedLayerBitIdentityTests.AssertBitIdentical(Mask(0), (float[])result[3], kind + ": backward after rejected forward calls");
        GeneratedLayerBitIdentityTests.AssertBitIdentical(Mask(2048), (float[])result[4], kind + ": the next forward call");
    }

    [Fact]
    public void BackwardOverAnotherElementTypeThanTheForwardCall_Throws()
    {
        string[] outcomes = (string[])GeneratorHarness.Invoke(Layers.Value, "Probes.Probe", "ElementTypeMismatch")!;
        Assert.Equal(
            [
                "InvalidOperationException", "ok", // float forward: double backward refused, float backward applies it
                "InvalidOperationException", "ok", // the same with MaskStorage = Regenerate
                "InvalidOperationException",       // also after an inference forward (double), a float backward
                "InvalidOperationException",       // and before any forward call
            ],
            outcomes);
    }

    [Fact]
    public void PartialOverlap_IsRejected_AlsoAtPOneAndInInference()
    {
        string[] outcomes = (string[])GeneratorHarness.Invoke(Layers.Value, "Probes.Probe", "PartialOverlapWithoutDropout")!;
        Assert.Equal(["ArgumentException", "ArgumentException", "ok", "ArgumentException", "ok"], outcomes);
    }

    [Theory]
    [InlineData("record")]
    [InlineData("struct")]
    [InlineData("class")]
    [InlineData("method in record")]
    public void CopiedLayer_BackwardOfEachInstance_AppliesItsOwnForwardMask(string kind)
    {
        var result = (object[])GeneratorHarness.Invoke(Layers.Value, "Probes.Probe", "Copy", kind, Seed)!;
        ulong offsetOriginal = (ulong)result[0], offsetCopy = (ulong)result[1];
        Assert.NotEqual(offsetOriginal, offsetCopy);
        float[] maskOriginal = Mask(offsetOriginal), maskCopy = Mask(offsetCopy);
        Assert.NotEqual(maskOriginal, maskCopy);
        GeneratedLayerBitIdentityTests.AssertBitIdentical(maskOriginal, (float[])result[2], kind + ": the original's backward");
        GeneratedLayerBitIdentityTests.AssertBitIdentical(maskCopy, (float[])result[3], kind + ": the copy's backward");
    }
}
