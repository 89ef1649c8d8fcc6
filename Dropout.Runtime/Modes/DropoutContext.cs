using System.Security.Cryptography;

namespace Dropout;

/// <summary>
/// The dropout state a whole model shares: its mode (training, inference or Monte Carlo) and the seed from which every
/// dropout site in the model derives its own random stream.
/// </summary>
/// <remarks>
/// Create one context per model and give it to every layer: switching <see cref="Mode"/>, or entering a scope with
/// <see cref="Inference"/>, switches the whole model. With the same seed and the same construction order, every site
/// gets the same stream, so a seeded run is reproducible bit for bit. A context is meant to be driven by one thread at
/// a time, like the model it belongs to.
/// </remarks>
public sealed class DropoutContext
{
    private int _nextSiteIndex;

    /// <summary>Creates a context with a seed drawn from the operating system's random source.</summary>
    public DropoutContext()
        : this(RandomSeed())
    {
    }

    /// <summary>Creates a context whose sites' streams all derive from <paramref name="seed"/>.</summary>
    /// <param name="seed">The model seed; the same seed reproduces the same masks.</param>
    public DropoutContext(ulong seed)
    {
        Seed = seed;
    }

    /// <summary>Gets the context layers use when none is given: training mode, randomly seeded.</summary>
    public static DropoutContext Shared { get; } = new();

    /// <summary>Gets the model seed.</summary>
    public ulong Seed { get; }

    /// <summary>Gets or sets the mode; layers read it on every forward call.</summary>
    public DropoutMode Mode { get; set; } = DropoutMode.Training;

    /// <summary>Gets whether dropout layers draw masks now (training or Monte Carlo mode).</summary>
    public bool IsDropoutActive => Mode != DropoutMode.Inference;

    /// <summary>Switches to inference until the returned scope is disposed, then restores the previous mode.</summary>
    /// <returns>A scope to dispose, typically with <see langword="using"/>.</returns>
    public DropoutModeScope Inference() => Enter(DropoutMode.Inference);

    /// <summary>Switches to training until the returned scope is disposed, then restores the previous mode.</summary>
    /// <returns>A scope to dispose, typically with <see langword="using"/>.</returns>
    public DropoutModeScope Training() => Enter(DropoutMode.Training);

    /// <summary>Keeps dropout on for evaluation (Monte Carlo dropout) until the returned scope is disposed.</summary>
    /// <returns>A scope to dispose, typically with <see langword="using"/>.</returns>
    public DropoutModeScope MonteCarlo() => Enter(DropoutMode.MonteCarlo);

    /// <summary>Switches to <paramref name="mode"/> until the returned scope is disposed, then restores the previous mode.</summary>
    /// <param name="mode">The mode inside the scope.</param>
    /// <returns>A scope to dispose, typically with <see langword="using"/>.</returns>
    public DropoutModeScope Enter(DropoutMode mode)
    {
        var scope = new DropoutModeScope(this, Mode);
        Mode = mode;
        return scope;
    }

    /// <summary>
    /// Registers a new dropout site (one layer or one dropout method) and returns its stream. Sites are numbered in the
    /// order they register, and site <c>n</c>'s key is <see cref="DeriveSiteKey"/>(<see cref="Seed"/>, n).
    /// </summary>
    /// <returns>The new site's stream, positioned at 0.</returns>
    public DropoutStream CreateStream() => new(this, DeriveSiteKey(Seed, (ulong)Interlocked.Increment(ref _nextSiteIndex) - 1));

    /// <summary>
    /// The Philox key of site <paramref name="siteIndex"/> in a model seeded with <paramref name="seed"/>: SplitMix64's
    /// finalizer applied to <c>seed + (siteIndex + 1) · 0x9E3779B97F4A7C15</c>, so neighbouring sites and seeds get
    /// unrelated keys.
    /// </summary>
    /// <param name="seed">The model seed.</param>
    /// <param name="siteIndex">The site's registration index.</param>
    /// <returns>The site's 64-bit key.</returns>
    public static ulong DeriveSiteKey(ulong seed, ulong siteIndex)
    {
        ulong z = seed + ((siteIndex + 1) * 0x9E3779B97F4A7C15UL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static ulong RandomSeed()
    {
        Span<byte> bytes = stackalloc byte[8];
        RandomNumberGenerator.Fill(bytes);
        return BitConverter.ToUInt64(bytes);
    }
}

/// <summary>Restores a <see cref="DropoutContext"/>'s previous mode when disposed.</summary>
public readonly struct DropoutModeScope : IDisposable
{
    private readonly DropoutContext? _context;
    private readonly DropoutMode _previous;

    internal DropoutModeScope(DropoutContext context, DropoutMode previous)
    {
        _context = context;
        _previous = previous;
    }

    /// <summary>Gets the mode that is restored on disposal.</summary>
    public DropoutMode PreviousMode => _previous;

    /// <summary>Restores the mode the context had when the scope was entered.</summary>
    public void Dispose()
    {
        if (_context is not null)
        {
            _context.Mode = _previous;
        }
    }
}
