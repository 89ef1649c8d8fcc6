using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;

namespace Dropout.Analyzers;

/// <summary>
/// A value computed once per compilation and shared by every analyzer that asks for it, the first caller computing it
/// while the others wait.
/// </summary>
/// <remarks>
/// <see cref="ConditionalWeakTable{TKey, TValue}.GetValue"/> alone runs its callback on every thread that misses at the
/// same time: at compilation start a dozen analyzers ask for the same compilation-wide scan at once, each ran it, and on a
/// machine with few cores each was charged the others' work too. Here a thread that misses waits for the one computing.
/// A computation that throws (cancellation) publishes nothing, so the next caller computes again.
/// </remarks>
/// <typeparam name="T">The value's type.</typeparam>
internal sealed class OncePerCompilation<T>
{
    private readonly ConditionalWeakTable<Compilation, Slot> _slots = new();

    /// <summary>The value for <paramref name="compilation"/>, computed by <paramref name="compute"/> on the first call.</summary>
    public T Get(Compilation compilation, Func<Compilation, CancellationToken, T> compute, CancellationToken cancellationToken)
    {
        // Racing threads may each create a slot, but all of them get the one the table keeps.
        Slot slot = _slots.GetValue(compilation, static _ => new Slot());
        if (Volatile.Read(ref slot.Known))
        {
            return slot.Value;
        }

        lock (slot)
        {
            if (!slot.Known)
            {
                slot.Value = compute(compilation, cancellationToken);
                Volatile.Write(ref slot.Known, true);
            }

            return slot.Value;
        }
    }

    private sealed class Slot
    {
        public bool Known;
        public T Value = default!;
    }
}
