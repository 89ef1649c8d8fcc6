namespace Dropout.Samples.Model;

/// <summary>A block of trainable values with its gradient and the optimizer's momentum.</summary>
public sealed class Parameter
{
    /// <summary>Creates a parameter of <paramref name="length"/> zeros.</summary>
    /// <param name="length">The number of values.</param>
    public Parameter(int length)
    {
        Values = new float[length];
        Gradient = new float[length];
        Velocity = new float[length];
    }

    /// <summary>Gets the values the model computes with.</summary>
    public float[] Values { get; }

    /// <summary>Gets the gradient of the last backward pass (overwritten, not accumulated, by each one).</summary>
    public float[] Gradient { get; }

    /// <summary>Gets the optimizer's running velocity.</summary>
    public float[] Velocity { get; }
}
