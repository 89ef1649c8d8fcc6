namespace Dropout.Tests.Runtime;

public class ModeAndLayerTests
{
    [Fact]
    public void InferenceMode_ForwardIsTheIdentityAndDrawsNothing()
    {
        var context = new DropoutContext(seed: 1);
        var layer = new DropoutLayer(0.5, context);
        float[] values = MaskDefinitionReference.RandomInput(1000, 1);
        float[] original = (float[])values.Clone();
        context.Mode = DropoutMode.Inference;

        layer.Forward(values);

        Assert.Equal(original, values);
        Assert.Equal(0UL, layer.Stream.Position);
    }

    [Fact]
    public void InferenceScope_RestoresThePreviousModeOnExit_AlsoWhenNested()
    {
        var context = new DropoutContext(seed: 1);

        using (context.Inference())
        {
            Assert.Equal(DropoutMode.Inference, context.Mode);
            using (context.MonteCarlo())
            {
                Assert.True(context.IsDropoutActive);
            }

            Assert.Equal(DropoutMode.Inference, context.Mode);
        }

        Assert.Equal(DropoutMode.Training, context.Mode);
    }

    [Fact]
    public void TrainingMode_EachForwardDrawsAFreshMask()
    {
        var layer = new DropoutLayer(0.5, new DropoutContext(seed: 2));
        var first = new float[512];
        var second = new float[512];
        first.AsSpan().Fill(1);
        second.AsSpan().Fill(1);

        layer.Forward(first);
        layer.Forward(second);

        Assert.NotEqual(first, second);
    }

    [Theory]
    [InlineData(DropoutMaskStorage.Bits)]
    [InlineData(DropoutMaskStorage.Regenerate)]
    public void Backward_ReusesExactlyTheForwardMask(DropoutMaskStorage storage)
    {
        var layer = new DropoutLayer(0.8, new DropoutContext(seed: 3), storage);
        var activations = new float[1500];
        activations.AsSpan().Fill(1);
        layer.Forward(activations);
        var gradient = new float[1500];
        gradient.AsSpan().Fill(2);

        layer.Backward(gradient);

        for (int i = 0; i < activations.Length; i++)
        {
            Assert.Equal(activations[i] * 2, gradient[i]);
        }
    }

    [Fact]
    public void Backward_InInference_PassesTheGradientThrough()
    {
        var context = new DropoutContext(seed: 4);
        var layer = new DropoutLayer(0.5, context);
        float[] gradient = MaskDefinitionReference.RandomInput(300, 2);
        float[] original = (float[])gradient.Clone();
        using (context.Inference())
        {
            layer.Forward(new float[300]);
            layer.Backward(gradient);
        }

        Assert.Equal(original, gradient);
    }

    [Fact]
    public void Backward_WithoutForward_Throws() =>
        Assert.Throws<InvalidOperationException>(() => new DropoutLayer(0.5, new DropoutContext(1)).Backward(new float[3]));

    [Fact]
    public void Backward_WithAnotherLengthThanTheForward_Throws()
    {
        var layer = new DropoutLayer(0.5, new DropoutContext(1));
        layer.Forward(new float[10]);

        Assert.Throws<InvalidOperationException>(() => layer.Backward(new float[11]));
    }

    [Fact]
    public void SameSeedAndConstructionOrder_ReproduceTheSameMasks()
    {
        float[] Run()
        {
            var context = new DropoutContext(seed: 42);
            var input = new DropoutLayer(0.8, context);
            var hidden = new DropoutLayer(0.5, context);
            var values = new float[700];
            values.AsSpan().Fill(1);
            input.Forward(values);
            hidden.Forward(values);
            hidden.Forward(values);
            return values;
        }

        Assert.Equal(Run(), Run());
    }

    [Fact]
    public void Sites_GetDistinctKeys()
    {
        var context = new DropoutContext(seed: 42);

        Assert.NotEqual(context.CreateStream().Key, context.CreateStream().Key);
        Assert.NotEqual(DropoutContext.DeriveSiteKey(1, 0), DropoutContext.DeriveSiteKey(2, 0));
    }

    [Fact]
    public void Stream_ReservationsStartOnTileBoundariesAndNeverOverlap()
    {
        DropoutStream stream = new DropoutContext(1).CreateStream();

        ulong first = stream.Reserve(100);
        ulong second = stream.Reserve(5000);
        ulong third = stream.Reserve(1);

        Assert.Equal(0UL, first);
        Assert.Equal(2048UL, second);
        Assert.Equal(8192UL, third);
    }

    [Fact]
    public void Layer_SteadyStateCallsAllocateNothing()
    {
        var layer = new DropoutLayer(0.5, new DropoutContext(5));
        var values = new float[4096];
        layer.Forward(values);
        layer.Backward(values);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            layer.Forward(values);
            layer.Backward(values);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Layer_RejectsAKeepProbabilityOutsideZeroOne() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new DropoutLayer(0, new DropoutContext(1)));
}
