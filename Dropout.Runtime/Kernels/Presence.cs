namespace Dropout;

/// <summary>
/// Whether an optional part of a fused chain (bias, residual, bias gradient) is there, as a type: the kernels are
/// compiled once per combination, so an absent part costs no test and no load in the loop.
/// </summary>
internal interface IPresence
{
    static abstract bool IsPresent { get; }
}

/// <summary>The part is there.</summary>
internal readonly struct Present : IPresence
{
    public static bool IsPresent => true;
}

/// <summary>The part is absent.</summary>
internal readonly struct Absent : IPresence
{
    public static bool IsPresent => false;
}
