using System.Numerics.Tensors;

namespace Dropout.Samples.Model;

/// <summary>
/// Stochastic gradient descent with classical momentum: <c>v ← μ v − η g</c>, <c>w ← w + v</c>. The optimizer of the
/// dropout paper (Srivastava et al., 2014), and one with no per-parameter scaling that could hide what dropout does.
/// </summary>
/// <param name="learningRate">The step size η.</param>
/// <param name="momentum">The momentum μ in [0, 1).</param>
public sealed class MomentumSgd(float learningRate, float momentum)
{
    /// <summary>Gets the step size η.</summary>
    public float LearningRate { get; } = learningRate;

    /// <summary>Gets the momentum μ.</summary>
    public float Momentum { get; } = momentum;

    /// <summary>Updates every parameter from its gradient.</summary>
    /// <param name="parameters">The model's parameters.</param>
    public void Step(IReadOnlyList<Parameter> parameters)
    {
        // An indexed loop: foreach over the interface would allocate an enumerator on every step.
        for (int i = 0; i < parameters.Count; i++)
        {
            Parameter parameter = parameters[i];
            Span<float> velocity = parameter.Velocity;
            TensorPrimitives.Multiply(velocity, Momentum, velocity);
            TensorPrimitives.MultiplyAdd(parameter.Gradient, -LearningRate, velocity, velocity);
            TensorPrimitives.Add(parameter.Values, velocity, parameter.Values);
        }
    }
}
