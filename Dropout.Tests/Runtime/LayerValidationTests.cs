namespace Dropout.Tests.Runtime;

/// <summary>Issue 8, item 3: a <see cref="DropoutLayer"/> call that throws changes nothing, and backward only accepts its own forward.</summary>
public class LayerValidationTests
{
    [Theory]
    [InlineData(DropoutMaskStorage.Bits)]
    [InlineData(DropoutMaskStorage.Regenerate)]
    public void Forward_ThatThrows_LeavesStreamAndMaskUnchanged_SoBackwardStillUsesTheLastGoodForward(DropoutMaskStorage storage)
    {
        var context = new DropoutContext(seed: 3);
        var layer = new DropoutLayer(0.5, context, storage);
        float[] input = MaskDefinitionReference.RandomInput(100, 4);
        var output = new float[100];
        layer.Forward(input, output);
        ulong position = layer.Stream.Position;
        float[] gradient = MaskDefinitionReference.RandomInput(100, 5);
        var expected = new float[100];
        layer.Backward(gradient, expected);

        float[] buffer = new float[150];
        Assert.Throws<ArgumentException>(() => layer.Forward(buffer.AsSpan(0, 100), buffer.AsSpan(10, 100)));   // partial overlap
        Assert.Throws<ArgumentException>(() => layer.Forward(new float[100], new float[99]));                 // length mismatch
        Assert.Throws<ArgumentException>(() => layer.Forward(new float[64], buffer.AsSpan(0, 100)));           // and a different length

        Assert.Equal(position, layer.Stream.Position);
        var actual = new float[100];
        layer.Backward(gradient, actual);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Backward_OfADifferentElementTypeThanItsForward_Throws()
    {
        var layer = new DropoutLayer(0.5, new DropoutContext(seed: 3));
        layer.Forward(new float[64]);

        var error = Assert.Throws<InvalidOperationException>(() => layer.Backward(new double[64]));
        Assert.Contains("Single", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1.0, DropoutMode.Training)]
    [InlineData(0.5, DropoutMode.Inference)]
    public void Forward_WithPartiallyOverlappingSpans_Throws_AlsoWhenDropoutIsOff(double p, DropoutMode mode)
    {
        var context = new DropoutContext(seed: 3);
        var layer = new DropoutLayer(p, context);
        float[] buffer = new float[150];
        using (context.Enter(mode))
        {
            Assert.Throws<ArgumentException>(() => layer.Forward(buffer.AsSpan(0, 100), buffer.AsSpan(1, 100)));
            layer.Forward(buffer.AsSpan(0, 100));
            Assert.Throws<ArgumentException>(() => layer.Backward(buffer.AsSpan(0, 100), buffer.AsSpan(3, 100)));
        }
    }

    [Fact]
    public void Backward_LengthMismatch_NamesGradInput()
    {
        var layer = new DropoutLayer(0.5, new DropoutContext(seed: 3));
        layer.Forward(new float[64]);

        var error = Assert.Throws<ArgumentException>(() => layer.Backward(new float[64], new float[63]));
        Assert.Equal("gradInput", error.ParamName);
        var kernelError = Assert.Throws<ArgumentException>(() => DropoutKernels.Backward(new float[64], new float[63], new byte[8], 0.5));
        Assert.Equal("gradInput", kernelError.ParamName);
    }

    [Fact]
    public void Forward_InInference_ThenBackward_PassesTheGradientThrough_EvenAfterAnEarlierTrainingForward()
    {
        var context = new DropoutContext(seed: 3);
        var layer = new DropoutLayer(0.5, context);
        layer.Forward(MaskDefinitionReference.RandomInput(64, 1));
        float[] gradient = MaskDefinitionReference.RandomInput(64, 2);
        using (context.Inference())
        {
            layer.Forward(new float[64]);
        }

        var result = new float[64];
        layer.Backward(gradient, result);
        Assert.Equal(gradient, result);
    }

    // Issue 10 §3: one registration rule for DropoutLayer and generated layers — the first training forward call.
    [Fact]
    public void Layer_RegistersOnItsFirstTrainingForward_NotAtConstruction()
    {
        var context = new DropoutContext(seed: 8);
        var constructedFirst = new DropoutLayer(0.5, context);
        var constructedSecond = new DropoutLayer(0.5, context);
        using (context.Inference())
        {
            constructedFirst.Forward(new float[16]);   // inference registers nothing
        }

        constructedSecond.Forward(new float[16]);
        constructedFirst.Forward(new float[16]);

        Assert.Equal(DropoutContext.DeriveSiteKey(8, 0), constructedSecond.Stream.Key);
        Assert.Equal(DropoutContext.DeriveSiteKey(8, 1), constructedFirst.Stream.Key);
    }
}
