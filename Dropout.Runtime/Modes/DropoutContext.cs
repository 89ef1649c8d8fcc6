using System.Security.Cryptography;

namespace Dropout;

/// <summary>
/// The dropout state a whole model shares: its mode (training, inference or Monte Carlo) and the seed from which every
/// dropout site in the model derives its own random stream.
/// </summary>
/// <remarks>
/// <para>Create one context per model and give it to every layer. With the same seed and the same construction order,
/// every site gets the same stream, so a seeded run is reproducible bit for bit.</para>
/// <para><b>Threading model.</b> A mode scope (<see cref="Inference"/>, <see cref="Training"/>, <see cref="MonteCarlo"/>,
/// <see cref="Enter"/>) affects only the code that runs inside it: the logical call that entered it, including what
/// that call awaits and the tasks it starts inside the scope (the scope flows as an <see cref="AsyncLocal{T}"/> does),
/// and no other thread. So a model evaluated inside <c>using (context.Inference())</c> on one thread never turns
/// dropout off for the same context training on another thread. Scopes nest; the innermost scope of this context that
/// is still open in the current logical call decides the mode. Disposing a scope ends it: a scope disposed twice, or
/// out of order, or on another thread, never restores a stale mode. Outside every scope, the context's base mode
/// applies (set with the <see cref="Mode"/> setter; Training unless changed), which every thread shares.</para>
/// </remarks>
public sealed class DropoutContext
{
    // The open scopes of the current logical call, innermost first, for every context (a call rarely has more than two).
    private static readonly AsyncLocal<ModeScopeFrame?> s_innermostScope = new();

    private int _nextSiteIndex;
    private DropoutMode _baseMode = DropoutMode.Training;

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

    /// <summary>
    /// Gets the context layers use when none is given: randomly seeded, and always in training mode outside scopes. Its
    /// base mode cannot be set (two models that both fell back to it would otherwise switch each other); use a scope,
    /// which affects only the code inside it, or give the model its own context.
    /// </summary>
    public static DropoutContext Shared { get; } = new();

    /// <summary>Gets the model seed.</summary>
    public ulong Seed { get; }

    /// <summary>
    /// Gets the mode in force for the calling code: that of the innermost open scope of this context in the current
    /// logical call, or the base mode outside every scope. Sets the mode: inside a scope of this context, the mode of
    /// the innermost one (until it ends); outside, the base mode that every thread shares.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a defined <see cref="DropoutMode"/>.</exception>
    /// <exception cref="InvalidOperationException">Setting the base mode of <see cref="Shared"/>.</exception>
    public DropoutMode Mode
    {
        get => InnermostOpenScope()?.Mode ?? _baseMode;
        set
        {
            ValidateMode(value);
            ModeScopeFrame? scope = InnermostOpenScope();
            if (scope is not null)
            {
                scope.Mode = value;
                return;
            }

            if (ReferenceEquals(this, Shared))
            {
                throw new InvalidOperationException(
                    "The mode of DropoutContext.Shared cannot be set: every model without a context of its own uses it, so one model would switch the others. "
                    + "Give the model its own DropoutContext, or enter a scope (using (DropoutContext.Shared.Inference()) { ... }), which affects only the code inside it.");
            }

            _baseMode = value;
        }
    }

    /// <summary>Gets whether dropout layers draw masks now (training or Monte Carlo mode) for the calling code.</summary>
    public bool IsDropoutActive => Mode != DropoutMode.Inference;

    /// <summary>Switches the code inside the returned scope to inference until the scope is disposed.</summary>
    /// <returns>A scope to dispose, typically with <see langword="using"/>.</returns>
    public DropoutModeScope Inference() => Enter(DropoutMode.Inference);

    /// <summary>Switches the code inside the returned scope to training until the scope is disposed.</summary>
    /// <returns>A scope to dispose, typically with <see langword="using"/>.</returns>
    public DropoutModeScope Training() => Enter(DropoutMode.Training);

    /// <summary>Keeps dropout on for evaluation (Monte Carlo dropout) inside the returned scope until it is disposed.</summary>
    /// <returns>A scope to dispose, typically with <see langword="using"/>.</returns>
    public DropoutModeScope MonteCarlo() => Enter(DropoutMode.MonteCarlo);

    /// <summary>
    /// Runs the code inside the returned scope (this logical call and what it starts) in <paramref name="mode"/> until the
    /// scope is disposed; other threads are not affected.
    /// </summary>
    /// <param name="mode">The mode inside the scope.</param>
    /// <returns>A scope to dispose, typically with <see langword="using"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="mode"/> is not a defined <see cref="DropoutMode"/>.</exception>
    public DropoutModeScope Enter(DropoutMode mode)
    {
        ValidateMode(mode);
        DropoutMode previous = Mode;
        var frame = new ModeScopeFrame(this, mode, s_innermostScope.Value);
        s_innermostScope.Value = frame;
        return new DropoutModeScope(frame, previous);
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

    // Called by a scope's Dispose on the logical call that disposes it: drops ended scopes from the top of that call's
    // chain. Ended scopes deeper in the chain (disposed out of order or from another thread) are skipped by lookups and
    // dropped here once they reach the top.
    internal static void PopEndedScopes()
    {
        ModeScopeFrame? top = s_innermostScope.Value;
        ModeScopeFrame? open = top;
        while (open is not null && open.IsEnded)
        {
            open = open.Outer;
        }

        if (!ReferenceEquals(open, top))
        {
            s_innermostScope.Value = open;
        }
    }

    private ModeScopeFrame? InnermostOpenScope()
    {
        for (ModeScopeFrame? frame = s_innermostScope.Value; frame is not null; frame = frame.Outer)
        {
            if (ReferenceEquals(frame.Context, this) && !frame.IsEnded)
            {
                return frame;
            }
        }

        return null;
    }

    private static void ValidateMode(DropoutMode mode)
    {
        if (mode is not (DropoutMode.Training or DropoutMode.Inference or DropoutMode.MonteCarlo))
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "Not a DropoutMode: use Training, Inference or MonteCarlo.");
        }
    }

    private static ulong RandomSeed()
    {
        Span<byte> bytes = stackalloc byte[8];
        RandomNumberGenerator.Fill(bytes);
        return BitConverter.ToUInt64(bytes);
    }
}

/// <summary>One open mode scope: immutable links, so a logical call's chain can be shared with the tasks it starts.</summary>
internal sealed class ModeScopeFrame
{
    private int _ended;

    public ModeScopeFrame(DropoutContext context, DropoutMode mode, ModeScopeFrame? outer)
    {
        Context = context;
        Mode = mode;
        Outer = outer;
    }

    public DropoutContext Context { get; }

    public DropoutMode Mode { get; set; }

    public ModeScopeFrame? Outer { get; }

    public bool IsEnded => Volatile.Read(ref _ended) != 0;

    /// <summary>Ends the scope; returns false when it had already ended (a second Dispose does nothing).</summary>
    public bool End() => Interlocked.Exchange(ref _ended, 1) == 0;
}

/// <summary>
/// Ends a mode scope of a <see cref="DropoutContext"/> when disposed: the code after it runs in whatever mode the
/// enclosing scopes (or the context's base mode) give. Disposing it again does nothing.
/// </summary>
public readonly struct DropoutModeScope : IDisposable
{
    private readonly ModeScopeFrame? _frame;
    private readonly DropoutMode _previous;

    internal DropoutModeScope(ModeScopeFrame frame, DropoutMode previous)
    {
        _frame = frame;
        _previous = previous;
    }

    /// <summary>Gets the mode that was in force for the code that entered the scope.</summary>
    public DropoutMode PreviousMode => _previous;

    /// <summary>Ends the scope. A second call, or a call on a default instance, does nothing.</summary>
    public void Dispose()
    {
        if (_frame is not null && _frame.End())
        {
            DropoutContext.PopEndedScopes();
        }
    }
}
