// TEMPORARY STAND-IN FOR Dropout.Generators. The lead deletes this file when the generator is merged.
//
// It hand-writes, for the sample's two [Dropout(p)] layer classes, exactly the members of the generated API contract
// (docs: "The generated API contract"): DropoutKeepProbability, DropoutContext, DropoutStream, and DropoutForward /
// DropoutBackward for float and double, in place and out of place. It delegates to Dropout.DropoutLayer. No other file
// of the sample uses anything beyond that contract, so deleting this file and letting the generator run is the whole
// merge.
namespace Dropout.Samples.Model;

public sealed partial class InputDropout
{
    private readonly StandInDropoutSite _site = new(DropoutKeepProbability);

    /// <summary>The keep probability p given to <c>[Dropout]</c>.</summary>
    public const double DropoutKeepProbability = 0.8;

    /// <summary>Gets or sets the context this site follows; setting it makes the site register anew with that context.</summary>
    public global::Dropout.DropoutContext DropoutContext { get => _site.Context; set => _site.Context = value; }

    /// <summary>Gets this site's random stream, created from <see cref="DropoutContext"/> on first use.</summary>
    public global::Dropout.DropoutStream DropoutStream => _site.Layer.Stream;

    /// <summary>Applies dropout in place (training: fresh mask, scale 1/p; inference: nothing).</summary>
    /// <param name="values">The activations.</param>
    public void DropoutForward(Span<float> values) => _site.Layer.Forward(values);

    /// <summary>Applies dropout out of place.</summary>
    /// <param name="input">The activations.</param>
    /// <param name="output">Receives the result.</param>
    public void DropoutForward(ReadOnlySpan<float> input, Span<float> output) => _site.Layer.Forward(input, output);

    /// <summary>Back-propagates in place through exactly the last forward call's mask.</summary>
    /// <param name="gradient">The gradient.</param>
    public void DropoutBackward(Span<float> gradient) => _site.Layer.Backward(gradient);

    /// <summary>Back-propagates out of place through exactly the last forward call's mask.</summary>
    /// <param name="gradOutput">The gradient with respect to the output.</param>
    /// <param name="gradInput">Receives the gradient with respect to the input.</param>
    public void DropoutBackward(ReadOnlySpan<float> gradOutput, Span<float> gradInput) => _site.Layer.Backward(gradOutput, gradInput);

    /// <inheritdoc cref="DropoutForward(Span{float})"/>
    public void DropoutForward(Span<double> values) => _site.Layer.Forward(values);

    /// <inheritdoc cref="DropoutForward(ReadOnlySpan{float}, Span{float})"/>
    public void DropoutForward(ReadOnlySpan<double> input, Span<double> output) => _site.Layer.Forward(input, output);

    /// <inheritdoc cref="DropoutBackward(Span{float})"/>
    public void DropoutBackward(Span<double> gradient) => _site.Layer.Backward(gradient);

    /// <inheritdoc cref="DropoutBackward(ReadOnlySpan{float}, Span{float})"/>
    public void DropoutBackward(ReadOnlySpan<double> gradOutput, Span<double> gradInput) => _site.Layer.Backward(gradOutput, gradInput);
}

public sealed partial class HiddenDropout
{
    private readonly StandInDropoutSite _site = new(DropoutKeepProbability);

    /// <summary>The keep probability p given to <c>[Dropout]</c>.</summary>
    public const double DropoutKeepProbability = 0.5;

    /// <summary>Gets or sets the context this site follows; setting it makes the site register anew with that context.</summary>
    public global::Dropout.DropoutContext DropoutContext { get => _site.Context; set => _site.Context = value; }

    /// <summary>Gets this site's random stream, created from <see cref="DropoutContext"/> on first use.</summary>
    public global::Dropout.DropoutStream DropoutStream => _site.Layer.Stream;

    /// <summary>Applies dropout in place (training: fresh mask, scale 1/p; inference: nothing).</summary>
    /// <param name="values">The activations.</param>
    public void DropoutForward(Span<float> values) => _site.Layer.Forward(values);

    /// <summary>Applies dropout out of place.</summary>
    /// <param name="input">The activations.</param>
    /// <param name="output">Receives the result.</param>
    public void DropoutForward(ReadOnlySpan<float> input, Span<float> output) => _site.Layer.Forward(input, output);

    /// <summary>Back-propagates in place through exactly the last forward call's mask.</summary>
    /// <param name="gradient">The gradient.</param>
    public void DropoutBackward(Span<float> gradient) => _site.Layer.Backward(gradient);

    /// <summary>Back-propagates out of place through exactly the last forward call's mask.</summary>
    /// <param name="gradOutput">The gradient with respect to the output.</param>
    /// <param name="gradInput">Receives the gradient with respect to the input.</param>
    public void DropoutBackward(ReadOnlySpan<float> gradOutput, Span<float> gradInput) => _site.Layer.Backward(gradOutput, gradInput);

    /// <inheritdoc cref="DropoutForward(Span{float})"/>
    public void DropoutForward(Span<double> values) => _site.Layer.Forward(values);

    /// <inheritdoc cref="DropoutForward(ReadOnlySpan{float}, Span{float})"/>
    public void DropoutForward(ReadOnlySpan<double> input, Span<double> output) => _site.Layer.Forward(input, output);

    /// <inheritdoc cref="DropoutBackward(Span{float})"/>
    public void DropoutBackward(Span<double> gradient) => _site.Layer.Backward(gradient);

    /// <inheritdoc cref="DropoutBackward(ReadOnlySpan{float}, Span{float})"/>
    public void DropoutBackward(ReadOnlySpan<double> gradOutput, Span<double> gradInput) => _site.Layer.Backward(gradOutput, gradInput);
}

// The state the generator keeps per site: its context (Shared until set) and a stream registered with that context on
// first use, so sites register in the order they first run, as generated layers do.
internal sealed class StandInDropoutSite(double keepProbability)
{
    private global::Dropout.DropoutContext? _context;
    private global::Dropout.DropoutLayer? _layer;

    public global::Dropout.DropoutContext Context
    {
        get => _context ?? global::Dropout.DropoutContext.Shared;
        set
        {
            _context = value ?? throw new ArgumentNullException(nameof(value));
            _layer = null;
        }
    }

    public global::Dropout.DropoutLayer Layer => _layer ??= new global::Dropout.DropoutLayer(keepProbability, Context);
}
