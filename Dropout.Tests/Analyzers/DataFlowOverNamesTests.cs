using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// Issue 9, found by the metamorphic corpus test's <c>rename</c> and <c>extract-method</c> rewrites: dropout whose rate,
/// mask or helper is named so that no name says dropout must still be recognized by what the code does: the training
/// flag that gates the draw, a kept value rescaled by its own probability, an array applied as a factor to other values,
/// a training flag in the caller of an extracted helper. Each mistake has a correct twin that must stay silent.
/// </summary>
public sealed class DataFlowOverNamesTests
{
    // rename: `DropoutRate` → `Level`. The training flag read by the condition around the draw speaks of training.
    [Fact]
    public Task NeutrallyNamedRate_GatedByTrainingFlag_NoScale_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public class DenseLayer
            {
                public double Level = 0.3;
                public bool Training;
                private readonly Random _rng = new Random(1);
                public void Activate(double[] outputs)
                {
                    for (int i = 0; i < outputs.Length; i++)
                        if (Training && {|DRP004:_rng.NextDouble() < Level|}) outputs[i] = 0;
                }
            }
            """);

    [Fact]
    public Task NeutrallyNamedRate_GatedByTrainingFlag_KeptValuesRescaled_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public class DenseLayer
            {
                public double Level = 0.3;
                public bool Training;
                private readonly Random _rng = new Random(1);
                public void Activate(double[] outputs)
                {
                    for (int i = 0; i < outputs.Length; i++)
                        if (Training && _rng.NextDouble() < Level) outputs[i] = 0; else outputs[i] /= 1 - Level;
                }
            }
            """);

    // An early exit on the flag gates the draw as well as an enclosing condition does.
    [Fact]
    public Task NeutrallyNamedRate_AfterEarlyExitOnTrainingFlag_NoScale_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            using System.Collections.Generic;
            public class Layer
            {
                public List<double> Values = new();
                public double P = 0.5;
                public bool IsTraining;
                private static readonly Random Rnd = new Random(8);
                public void Activate()
                {
                    if (!IsTraining) return;
                    for (int i = 0; i < Values.Count; i++)
                        if ({|DRP004:Rnd.NextDouble() <= P|}) Values[i] = 0;
                }
            }
            """);

    // No name, no flag and no rescale says dropout: random sparsification of a buffer stays unrecognized.
    [Fact]
    public Task NeutrallyNamedRate_NoFlagNoRescale_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public class Sparsifier
            {
                public double Level = 0.3;
                private readonly Random _rng = new Random(1);
                public void Thin(double[] values)
                {
                    for (int i = 0; i < values.Length; i++)
                        if (_rng.NextDouble() < Level) values[i] = 0;
                }
            }
            """);

    // rename: `DropRate` → `Prob` in a layer without a training flag. The kept value divided by one minus the compared
    // probability says inverted dropout, so the missing inference path is still reported.
    [Fact]
    public Task NeutrallyNamedRate_KeptValueRescaledByItsProbability_NoFlag_IsReported() =>
        AnalyzerTest.VerifyAsync<DropoutWithoutInferencePathAnalyzer>("""
            using System.Collections.Generic;
            public class Neuron { public double Output; }
            public class Layer
            {
                public List<Neuron> Neurons = new List<Neuron>();
                public double Prob = 0.25;
                private readonly Random _rand = new Random(9);
                public void Compute()
                {
                    foreach (var neuron in Neurons)
                        neuron.Output = {|DRP014:_rand.NextDouble() < Prob|} ? 0 : neuron.Output / (1 - Prob);
                }
            }
            """);

    [Fact]
    public Task NeutrallyNamedRate_KeptValueRescaledByItsProbability_WithTrainingFlag_IsSilent() =>
        AnalyzerTest.VerifyAsync<DropoutWithoutInferencePathAnalyzer>("""
            using System.Collections.Generic;
            public class Neuron { public double Output; }
            public class Layer
            {
                public List<Neuron> Neurons = new List<Neuron>();
                public double Prob = 0.25;
                public bool Training;
                private readonly Random _rand = new Random(9);
                public void Compute()
                {
                    if (!Training) return;
                    foreach (var neuron in Neurons)
                        neuron.Output = _rand.NextDouble() < Prob ? 0 : neuron.Output / (1 - Prob);
                }
            }
            """);

    // rename: `_mask` → `_m`. The zeroed array is applied as a factor to the activations, so it is the mask whose
    // prefilled 1/keep reaches inference.
    [Fact]
    public Task NeutrallyNamedMask_PrefilledWithInverseKeep_AppliedAtInference_IsReported() =>
        AnalyzerTest.VerifyAsync<InvertedScaleAtInferenceAnalyzer>("""
            public sealed class FeatureDropout
            {
                private readonly float _keepProb;
                private readonly Random _rng = new Random(3);
                private float[] _m = new float[0];
                public FeatureDropout(float keepProb) { _keepProb = keepProb; }
                public void Apply(float[] activations, bool training)
                {
                    if (_m.Length != activations.Length) _m = new float[activations.Length];
                    {|DRP018:Array.Fill(_m, 1f / _keepProb)|};
                    if (training)
                        for (int i = 0; i < _m.Length; i++)
                            if (_rng.NextSingle() > _keepProb) _m[i] = 0f;
                    for (int i = 0; i < activations.Length; i++) activations[i] *= _m[i];
                }
            }
            """);

    [Fact]
    public Task NeutrallyNamedMask_PrefilledWithInverseKeep_AppliedInTrainingOnly_IsSilent() =>
        AnalyzerTest.VerifyAsync<InvertedScaleAtInferenceAnalyzer>("""
            public sealed class FeatureDropout
            {
                private readonly float _keepProb;
                private readonly Random _rng = new Random(3);
                private float[] _m = new float[0];
                public FeatureDropout(float keepProb) { _keepProb = keepProb; }
                public void Apply(float[] activations, bool training)
                {
                    if (!training) return;
                    if (_m.Length != activations.Length) _m = new float[activations.Length];
                    Array.Fill(_m, 1f / _keepProb);
                    for (int i = 0; i < _m.Length; i++)
                        if (_rng.NextSingle() > _keepProb) _m[i] = 0f;
                    for (int i = 0; i < activations.Length; i++) activations[i] *= _m[i];
                }
            }
            """);

    // rename of a constructor parameter: `prob` stored in `dropoutRate` says nothing against the field's name.
    [Fact]
    public Task NeutralConstructorParameter_StoredInDropRate_ComparedAsKeep_IsReported() =>
        AnalyzerTest.VerifyAsync<DrawKeepsWithDropRateAnalyzer>("""
            public class HiddenDropout
            {
                private readonly float dropoutRate;
                private readonly Random random = new Random(9);
                public HiddenDropout(float prob) { this.dropoutRate = prob; }
                public void Apply(float[] activations, bool training)
                {
                    if (!training) return;
                    for (int i = 0; i < activations.Length; i++)
                        activations[i] *= {|DRP016:random.NextDouble() < dropoutRate|} ? 1f : 0f;
                }
            }
            """);

    [Fact]
    public Task NeutralConstructorParameter_StoredInDropRate_ComparedAsDrop_IsSilent() =>
        AnalyzerTest.VerifyAsync<DrawKeepsWithDropRateAnalyzer>("""
            public class HiddenDropout
            {
                private readonly float dropoutRate;
                private readonly Random random = new Random(9);
                public HiddenDropout(float prob) { this.dropoutRate = prob; }
                public void Apply(float[] activations, bool training)
                {
                    if (!training) return;
                    for (int i = 0; i < activations.Length; i++)
                        activations[i] *= random.NextDouble() < dropoutRate ? 0f : 1f;
                }
            }
            """);

    // extract-method: a noise-named layer's loop moved into a helper; the training flag stays in the caller.
    [Fact]
    public Task NoiseNamedLayer_LoopInHelper_TrainingFlagInCaller_WrongScale_IsReported() =>
        AnalyzerTest.VerifyAsync<DropRateUsedAsScaleAnalyzer>("""
            public class InputNoiseLayer
            {
                private readonly float _keep;
                private readonly Random _rng = new Random(3);
                public InputNoiseLayer(float keep) { _keep = keep; }
                public float[] Forward(float[] x, bool training)
                {
                    if (!training) return x;
                    var y = new float[x.Length];
                    ApplyStep(x, y);
                    return y;
                }
                private void ApplyStep(float[] x, float[] y)
                {
                    for (int i = 0; i < x.Length; i++) y[i] = _rng.NextSingle() > _keep ? 0f : {|DRP012:x[i] / (1f - _keep)|};
                }
            }
            """);

    // The same helper called also where no training flag gates it: the survivors are still rescaled by a power of the
    // probability they survived with, which is dropout's data flow whatever the names and gates (masking noise would not
    // rescale them), so the drop rate used as that scale is still reported.
    [Fact]
    public Task NoiseNamedLayer_LoopInHelper_OneCallerNotGated_DividedByTheDropRate_IsAWrongScale() =>
        AnalyzerTest.VerifyAsync<DropRateUsedAsScaleAnalyzer>("""
            public class InputNoiseLayer
            {
                private readonly float _keep;
                private readonly Random _rng = new Random(3);
                public InputNoiseLayer(float keep) { _keep = keep; }
                public float[] Forward(float[] x, bool training)
                {
                    if (!training) return x;
                    var y = new float[x.Length];
                    ApplyStep(x, y);
                    return y;
                }
                public float[] Corrupt(float[] x)
                {
                    var y = new float[x.Length];
                    ApplyStep(x, y);
                    return y;
                }
                private void ApplyStep(float[] x, float[] y)
                {
                    for (int i = 0; i < x.Length; i++) y[i] = _rng.NextSingle() > _keep ? 0f : {|DRP012:x[i] / (1f - _keep)|};
                }
            }
            """);

    // extract-method: the draw moved into a helper the forward calls per element; the forward's 1/keep is still the
    // training scale of that draw, so a backward that reads the mask without it is reported.
    [Fact]
    public Task DrawInHelper_ForwardScalesInCaller_BackwardWithoutScale_IsReported() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>("""
            public class DropoutLayer
            {
                private readonly float _keep;
                private readonly Random _rng = new Random(5);
                private float[] _mask = Array.Empty<float>();
                public DropoutLayer(float keep) { _keep = keep; }
                public float[] Forward(float[] x, bool train)
                {
                    if (!train) return x;
                    _mask = new float[x.Length];
                    var y = new float[x.Length];
                    for (int i = 0; i < x.Length; i++)
                    {
                        Draw(i);
                        y[i] = x[i] * _mask[i] / _keep;
                    }
                    return y;
                }
                private void Draw(int i) { _mask[i] = _rng.NextSingle() < _keep ? 1f : 0f; }
                public float[] {|DRP013:Backward|}(float[] dy)
                {
                    var dx = new float[dy.Length];
                    for (int i = 0; i < dy.Length; i++) dx[i] = dy[i] * _mask[i];
                    return dx;
                }
            }
            """);

    [Fact]
    public Task DrawInHelper_ForwardScalesInCaller_BackwardWithScale_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>("""
            public class DropoutLayer
            {
                private readonly float _keep;
                private readonly Random _rng = new Random(5);
                private float[] _mask = Array.Empty<float>();
                public DropoutLayer(float keep) { _keep = keep; }
                public float[] Forward(float[] x, bool train)
                {
                    if (!train) return x;
                    _mask = new float[x.Length];
                    var y = new float[x.Length];
                    for (int i = 0; i < x.Length; i++)
                    {
                        Draw(i);
                        y[i] = x[i] * _mask[i] / _keep;
                    }
                    return y;
                }
                private void Draw(int i) { _mask[i] = _rng.NextSingle() < _keep ? 1f : 0f; }
                public float[] Backward(float[] dy)
                {
                    var dx = new float[dy.Length];
                    for (int i = 0; i < dy.Length; i++) dx[i] = dy[i] * _mask[i] / _keep;
                    return dx;
                }
            }
            """);

    // In a noise-named layer the drop- or keep-named rate stays required (NoiseNamedDropoutTests: a denoising
    // autoencoder's corruption level, even used as a factor, is left alone), so a neutral rate is not dropout there.
    [Fact]
    public Task NoiseNamedLayer_NeutralRate_NoRescale_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class FeatureNoiseLayer
            {
                private readonly Random _rng = new Random(24);
                private readonly float _level;
                public FeatureNoiseLayer(float level) { _level = level; }
                public float[] Forward(float[] features, bool training)
                {
                    if (!training) return features;
                    var result = new float[features.Length];
                    for (int i = 0; i < features.Length; i++)
                        result[i] = _rng.NextDouble() < _level ? 0f : features[i];
                    return result;
                }
            }
            """);
}
