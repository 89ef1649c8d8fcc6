using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

/// <summary>Layer types the batch-norm tests share.</summary>
internal static class BatchNormLayers
{
    public const string Types = """

        public interface ILayer { }
        public sealed class DropoutStage(double keep) : ILayer { public DropoutLayer Layer { get; } = new(keep); }
        public sealed class BatchNorm1d(int features) : ILayer { public void Forward(float[] x) { } }
        public sealed class Dense(int inputs, int outputs) : ILayer { public void Forward(float[] x) { } }
        public sealed class Sequential(params object[] layers) : System.Collections.IEnumerable
        {
            public List<object> Layers { get; } = new(layers);
            public void Add(object layer) => Layers.Add(layer);
            public System.Collections.IEnumerator GetEnumerator() => Layers.GetEnumerator();
        }
        public static class Norm { public static void BatchNormalize(Span<float> x) { } }
        """;
}

public sealed class DropoutBeforeBatchNormTests
{
    [Fact]
    public Task DropoutForwardFollowedByBatchNormOnSameBuffer_IsReported() =>
        AnalyzerTest.VerifyAsync<DropoutBeforeBatchNormAnalyzer>("""
            public static class Block
            {
                public static void Forward(DropoutLayer dropout, BatchNorm1d norm, float[] h)
                {
                    dropout.Forward(h);
                    {|DRP009:norm.Forward(h)|};
                }

                public static void Kernel(float[] h, ulong seed)
                {
                    DropoutKernels.Forward(h, h, 0.8, seed, 0);
                    {|DRP009:Norm.BatchNormalize(h)|};
                }
            }
            """ + BatchNormLayers.Types);

    [Fact]
    public Task LayerListWithDropoutBeforeBatchNorm_IsReported() =>
        AnalyzerTest.VerifyAsync<DropoutBeforeBatchNormAnalyzer>("""
            public static class Models
            {
                public static Sequential Build(DropoutContext context) =>
                    new Sequential(new Dense(784, 256), new DropoutLayer(0.5, context), {|DRP009:new BatchNorm1d(256)|}, new Dense(256, 10));

                public static object[] Layers() => new object[] { new DropoutLayer(0.8), {|DRP009:new BatchNorm1d(64)|} };
            }
            """ + BatchNormLayers.Types);

    [Fact]
    public Task BuilderAddingDropoutThenBatchNorm_IsReported() =>
        AnalyzerTest.VerifyAsync<DropoutBeforeBatchNormAnalyzer>("""
            public static class Models
            {
                public static Sequential Build()
                {
                    var model = new Sequential();
                    model.Add(new Dense(784, 256));
                    model.Add(new DropoutLayer(0.5));
                    {|DRP009:model.Add(new BatchNorm1d(256))|};
                    return model;
                }

                public static Sequential Initialized() => new Sequential { new DropoutLayer(0.5), {|DRP009:new BatchNorm1d(256)|} };
            }
            """ + BatchNormLayers.Types);

    [Fact]
    public Task BatchNormBeforeDropout_IsNotReported() =>
        AnalyzerTest.VerifyAsync<DropoutBeforeBatchNormAnalyzer>("""
            public static class Models
            {
                public static Sequential Build() =>
                    new Sequential(new Dense(784, 256), new BatchNorm1d(256), new DropoutLayer(0.5), new Dense(256, 10));

                public static void Forward(DropoutLayer dropout, BatchNorm1d norm, float[] h)
                {
                    norm.Forward(h);
                    dropout.Forward(h);
                }
            }
            """ + BatchNormLayers.Types);

    [Fact]
    public Task DropoutAndBatchNormOnDifferentBuffers_IsNotReported() =>
        AnalyzerTest.VerifyAsync<DropoutBeforeBatchNormAnalyzer>("""
            public static class Block
            {
                public static void Forward(DropoutLayer dropout, BatchNorm1d norm, float[] attention, float[] features)
                {
                    dropout.Forward(attention);
                    norm.Forward(features);
                }
            }
            """ + BatchNormLayers.Types);

    [Fact]
    public Task LayerBetweenDropoutAndBatchNorm_IsNotReported() =>
        AnalyzerTest.VerifyAsync<DropoutBeforeBatchNormAnalyzer>("""
            public static class Models
            {
                public static Sequential Build() =>
                    new Sequential(new DropoutLayer(0.5), new Dense(256, 256), new BatchNorm1d(256));

                public static void Forward(DropoutLayer dropout, Dense dense, BatchNorm1d norm, float[] h)
                {
                    dropout.Forward(h);
                    dense.Forward(h);
                    norm.Forward(h);
                }
            }
            """ + BatchNormLayers.Types);
}
