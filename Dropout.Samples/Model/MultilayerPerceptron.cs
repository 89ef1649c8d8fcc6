using System.Numerics.Tensors;

namespace Dropout.Samples.Model;

/// <summary>
/// A multilayer perceptron for 8x8 digits: 64 inputs, two ReLU hidden layers, 10 outputs (softmax). With all its
/// dropout it is input dropout (p = 0.8) → dense → ReLU → dropout (p = 0.5) → dense → ReLU → dropout (p = 0.5) →
/// dense; the other <see cref="DropoutConfiguration"/>s leave some or all of the dropout layers out. Each hidden layer's
/// bias add, ReLU and dropout run as one generated fused epilogue (<see cref="HiddenDropoutEpilogue"/>).
/// </summary>
/// <remarks>
/// All dropout layers share one <see cref="Dropout.DropoutContext"/>: its mode switches the whole model, and its seed,
/// with the fixed construction order, makes every mask reproducible. Activations live in buffers sized for
/// <see cref="BatchCapacity"/> rows, allocated once, so training and prediction allocate nothing per batch.
/// </remarks>
public sealed class MultilayerPerceptron
{
    /// <summary>The most rows one forward pass handles; larger inputs are processed in chunks of this size.</summary>
    public const int BatchCapacity = 128;

    private readonly DenseLayer _hidden1;
    private readonly DenseLayer _hidden2;
    private readonly DenseLayer _output;

    // Null where the configuration leaves them out: the baseline is this model with these layers removed, nothing else.
    private readonly InputDropout? _inputDropout;

    // Bias + ReLU + dropout of each hidden layer in one pass; without dropout, bias + ReLU alone (p = 1).
    private readonly IHiddenEpilogue _hidden1Epilogue;
    private readonly IHiddenEpilogue _hidden2Epilogue;

    private readonly float[] _input;
    private readonly float[] _preActivations1;
    private readonly float[] _preActivations2;
    private readonly float[] _activations1;
    private readonly float[] _activations2;
    private readonly float[] _logits;
    private readonly float[] _probabilities;
    private readonly float[] _gradient1;
    private readonly float[] _gradient2;

    /// <summary>Creates a network with freshly initialized weights.</summary>
    /// <param name="hiddenSize">Units in each of the two hidden layers.</param>
    /// <param name="configuration">Which dropout layers are in the network.</param>
    /// <param name="weightRandom">The seeded source of the initial weights; equal seeds give equal weights in every configuration.</param>
    /// <param name="dropoutContext">The context every dropout layer of this model follows.</param>
    public MultilayerPerceptron(int hiddenSize, DropoutConfiguration configuration, Random weightRandom, DropoutContext dropoutContext)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(hiddenSize, 1);
        HiddenSize = hiddenSize;
        Configuration = configuration;
        DropoutContext = dropoutContext;
        _hidden1 = new DenseLayer(InputSize, hiddenSize, weightRandom);
        _hidden2 = new DenseLayer(hiddenSize, hiddenSize, weightRandom);
        _output = new DenseLayer(hiddenSize, OutputSize, weightRandom);

        // Every site joins the model's context. Sites register with it in the order they first run, which is fixed, so
        // the same seed gives the same masks.
        if (configuration == DropoutConfiguration.InputAndHidden)
        {
            _inputDropout = new InputDropout { DropoutContext = dropoutContext };
        }

        if (configuration != DropoutConfiguration.None)
        {
            _hidden1Epilogue = new HiddenDropoutEpilogue { DropoutContext = dropoutContext };
            _hidden2Epilogue = new HiddenDropoutEpilogue { DropoutContext = dropoutContext };
        }
        else
        {
            _hidden1Epilogue = new HiddenEpilogue { DropoutContext = dropoutContext };
            _hidden2Epilogue = new HiddenEpilogue { DropoutContext = dropoutContext };
        }

        _input = new float[BatchCapacity * InputSize];
        _preActivations1 = new float[BatchCapacity * hiddenSize];
        _preActivations2 = new float[BatchCapacity * hiddenSize];
        _activations1 = new float[BatchCapacity * hiddenSize];
        _activations2 = new float[BatchCapacity * hiddenSize];
        _logits = new float[BatchCapacity * OutputSize];
        _probabilities = new float[BatchCapacity * OutputSize];
        _gradient1 = new float[BatchCapacity * hiddenSize];
        _gradient2 = new float[BatchCapacity * hiddenSize];
        Parameters = [_hidden1.Weights, _hidden1.Biases, _hidden2.Weights, _hidden2.Biases, _output.Weights, _output.Biases];
    }

    /// <summary>The number of inputs (pixels).</summary>
    public const int InputSize = Data.DigitsDataset.PixelCount;

    /// <summary>The number of outputs (classes).</summary>
    public const int OutputSize = Data.DigitsDataset.ClassCount;

    /// <summary>Gets the width of each hidden layer.</summary>
    public int HiddenSize { get; }

    /// <summary>Gets which dropout layers the network has.</summary>
    public DropoutConfiguration Configuration { get; }

    /// <summary>Gets the context whose mode all of this model's dropout layers follow.</summary>
    public DropoutContext DropoutContext { get; }

    /// <summary>Gets the trainable parameters, in a fixed order.</summary>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>
    /// Runs one batch forward and backward in the current mode (training, for a training step) and leaves the gradient
    /// of the mean cross-entropy in each <see cref="Parameter.Gradient"/>.
    /// </summary>
    /// <param name="images">The batch's images, <see cref="InputSize"/> values each.</param>
    /// <param name="labels">The batch's labels.</param>
    /// <returns>The batch's mean cross-entropy loss.</returns>
    public float ComputeGradients(ReadOnlySpan<float> images, ReadOnlySpan<byte> labels)
    {
        int batchSize = labels.Length;
        if (batchSize > BatchCapacity)
        {
            throw new ArgumentOutOfRangeException(nameof(labels), $"A training batch has at most {BatchCapacity} rows.");
        }

        Forward(images, batchSize);
        Span<float> logitGradient = _logits.AsSpan(0, batchSize * OutputSize);
        float loss = SoftmaxCrossEntropy.LossAndGradient(_logits.AsSpan(0, batchSize * OutputSize), labels, logitGradient);

        int hiddenLength = batchSize * HiddenSize;
        Span<float> gradient2 = _gradient2.AsSpan(0, hiddenLength);
        Span<float> gradient1 = _gradient1.AsSpan(0, hiddenLength);

        // Back through dropout and ReLU in one pass, in place: each mask bit records "kept and active", so the epilogue's
        // backward reads nothing but the gradient and the mask. The dense layer's backward computes the bias gradient
        // (with the weight gradient), so the epilogue is asked for none.
        _output.Backward(_activations2, logitGradient, gradient2, batchSize);
        _hidden2Epilogue.ApplyBackward(gradient2, gradient2, gradBias: default);

        _hidden2.Backward(_activations1, gradient2, gradient1, batchSize);
        _hidden1Epilogue.ApplyBackward(gradient1, gradient1, gradBias: default);

        // Pixels are not trained, so no gradient flows back through the input dropout: it needs no backward call.
        _hidden1.Backward(_input, gradient1, inputGradient: default, batchSize);
        return loss;
    }

    /// <summary>Predicts class probabilities with dropout off: every unit present, no scaling (inverted dropout scaled while training).</summary>
    /// <param name="images">The images, <see cref="InputSize"/> values each.</param>
    /// <param name="probabilities">Receives <see cref="OutputSize"/> probabilities per image.</param>
    [Inference]
    public void Predict(ReadOnlySpan<float> images, Span<float> probabilities)
    {
        using (DropoutContext.Inference())
        {
            int count = images.Length / InputSize;
            for (int start = 0; start < count; start += BatchCapacity)
            {
                int rows = Math.Min(BatchCapacity, count - start);
                ForwardWithSoftmax(images.Slice(start * InputSize, rows * InputSize), rows, probabilities.Slice(start * OutputSize, rows * OutputSize));
            }
        }
    }

    /// <summary>
    /// Monte Carlo dropout (Gal and Ghahramani, 2016): keeps dropout on at prediction, runs <paramref name="samples"/>
    /// passes, each with fresh masks, and averages their probabilities. The spread between passes is the model's
    /// uncertainty. The average is often better calibrated than one pass without dropout for large, overconfident
    /// networks; for this small one it is underconfident (see docs/sample.md).
    /// </summary>
    /// <param name="images">The images, <see cref="InputSize"/> values each.</param>
    /// <param name="samples">The number of passes T.</param>
    /// <param name="meanProbabilities">Receives the mean of the T passes' probabilities, <see cref="OutputSize"/> per image.</param>
    [MonteCarloDropout]
    public void PredictMonteCarlo(ReadOnlySpan<float> images, int samples, Span<float> meanProbabilities)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 1);
        int count = images.Length / InputSize;
        Span<float> probabilities = _probabilities;
        meanProbabilities[..(count * OutputSize)].Clear();

        using (DropoutContext.MonteCarlo())
        {
            for (int sample = 0; sample < samples; sample++)
            {
                for (int start = 0; start < count; start += BatchCapacity)
                {
                    int rows = Math.Min(BatchCapacity, count - start);
                    Span<float> batchProbabilities = probabilities[..(rows * OutputSize)];
                    ForwardWithSoftmax(images.Slice(start * InputSize, rows * InputSize), rows, batchProbabilities);
                    Span<float> mean = meanProbabilities.Slice(start * OutputSize, rows * OutputSize);
                    TensorPrimitives.Add(mean, batchProbabilities, mean);
                }
            }
        }

        TensorPrimitives.Multiply(meanProbabilities[..(count * OutputSize)], 1f / samples, meanProbabilities[..(count * OutputSize)]);
    }

    // One forward pass in the caller's mode (Predict: inference; PredictMonteCarlo: Monte Carlo), then softmax per row.
    private void ForwardWithSoftmax(ReadOnlySpan<float> images, int rows, Span<float> probabilities)
    {
        Forward(images, rows);
        for (int row = 0; row < rows; row++)
        {
            TensorPrimitives.SoftMax(_logits.AsSpan(row * OutputSize, OutputSize), probabilities.Slice(row * OutputSize, OutputSize));
        }
    }

    // One forward pass in whatever mode the context is in: the dropout layers draw masks in training and Monte Carlo
    // mode and do nothing in inference mode.
    private void Forward(ReadOnlySpan<float> images, int batchSize)
    {
        Span<float> input = _input.AsSpan(0, batchSize * InputSize);
        images[..input.Length].CopyTo(input); // dropout works in place, and must not change the data set
        _inputDropout?.DropoutForward(input);

        // Each hidden layer: W x into the pre-activation buffer, then bias + ReLU + dropout in one pass.
        Span<float> preActivations1 = _preActivations1.AsSpan(0, batchSize * HiddenSize);
        Span<float> activations1 = _activations1.AsSpan(0, batchSize * HiddenSize);
        _hidden1.ForwardWithoutBias(input, preActivations1, batchSize);
        _hidden1Epilogue.Apply(preActivations1, _hidden1.Biases.Values, activations1);

        Span<float> preActivations2 = _preActivations2.AsSpan(0, batchSize * HiddenSize);
        Span<float> activations2 = _activations2.AsSpan(0, batchSize * HiddenSize);
        _hidden2.ForwardWithoutBias(activations1, preActivations2, batchSize);
        _hidden2Epilogue.Apply(preActivations2, _hidden2.Biases.Values, activations2);

        _output.Forward(activations2, _logits, batchSize);
    }
}
