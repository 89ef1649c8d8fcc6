using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>
/// Uniform draws spelled as C, CUDA and script code spells them once ported: <c>rand_float(0, 1)</c>, <c>Utils.random()</c>,
/// <c>curand_uniform(ref state)</c>, <c>rng.Next() / (float)int.MaxValue</c>. The names are the model's uniform names in
/// another case or with underscores; what makes the value a uniform in [0, 1) is the same as for <c>NextDouble()</c>: a
/// floating-point result and either no numeric argument (a generator state may be passed) or the bounds 0 and 1.
/// </summary>
internal sealed partial class HandWrittenDropoutModel
{
    // The uniform names lower-cased without underscores, and `random` itself (`Utils.random()`, a float in [0, 1) as
    // JavaScript's Math.random() is): compared with a name lower-cased with its underscores removed, or with its last
    // underscore-separated word (`curand_uniform`, `hiprand_uniform`).
    // (Written out rather than derived from UniformDrawNames: static fields of the partial files initialize in no order
    // the code can rely on.)
    private static readonly ImmutableHashSet<string> FoldedUniformNames = ImmutableHashSet.Create(
        StringComparer.Ordinal,
        "nextdouble", "nextsingle", "nextfloat", "nextuniform", "uniform", "uniformfloat", "uniformdouble", "randomfloat", "randomdouble",
        "randfloat", "randdouble", "nextrandom", "getrandom", "getrandomfloat", "getrandomdouble", "getrandomnumber", "rand",
        "random", "randomuniform", "uniformrandom", "frand", "drand", "randf", "randu");

    // IsUniformDrawName is asked for every invocation of a compilation (IsDrawCallName gates TryRecognize), and folding a
    // name allocated two strings each time; the answers are remembered per name (a compilation calls few distinct names).
    // Bounded, so that a long-lived host that sees many code bases does not grow it without end.
    private const int MaxRememberedDrawNames = 8192;
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> UniformDrawNameAnswers = new(StringComparer.Ordinal);
    private static int _rememberedDrawNames;

    /// <summary>Whether a method's name is a uniform draw's, in any case and with or without underscores.</summary>
    private static bool IsUniformDrawName(string name)
    {
        if (UniformDrawNameAnswers.TryGetValue(name, out bool known))
        {
            return known;
        }

        bool answer = FoldsToUniformDrawName(name);
        // (ConcurrentDictionary.Count takes every lock of the table: a counter of its own instead.)
        if (Volatile.Read(ref _rememberedDrawNames) < MaxRememberedDrawNames && UniformDrawNameAnswers.TryAdd(name, answer))
        {
            Interlocked.Increment(ref _rememberedDrawNames);
        }

        return answer;
    }

    private static bool FoldsToUniformDrawName(string name)
    {
        if (UniformDrawNames.Contains(name))
        {
            return true;
        }

        string folded = name.Replace("_", string.Empty).ToLowerInvariant();
        if (FoldedUniformNames.Contains(folded))
        {
            return true;
        }

        int underscore = name.LastIndexOf('_');
        return underscore > 0 && underscore < name.Length - 1 && FoldedUniformNames.Contains(name.Substring(underscore + 1).ToLowerInvariant());
    }

    // Arguments that are no bound of the draw: a generator or its state (`curand_uniform(ref state)`, `Uniform(rng)`), passed
    // by reference or typed as one. Any other argument (`GetRandom(weights)` picks an element) makes the value something else.
    private static bool OnlyGeneratorArguments(IInvocationOperation invocation) =>
        invocation.Arguments.All(argument => argument.Value.Type is { } type && !IsNumberType(type)
            && (argument.Parameter?.RefKind is RefKind.Ref or RefKind.Out || IsGeneratorTypeName(type.Name)));

    private static bool IsGeneratorTypeName(string name) =>
        name.IndexOf("Random", StringComparison.OrdinalIgnoreCase) >= 0 || name.IndexOf("Rng", StringComparison.OrdinalIgnoreCase) >= 0
        || name.IndexOf("Generator", StringComparison.OrdinalIgnoreCase) >= 0 || name.IndexOf("State", StringComparison.OrdinalIgnoreCase) >= 0;

    private static bool IsNumberType(ITypeSymbol type) =>
        HandWrittenDropoutSite.IsNumeric(type)
        || type.SpecialType is SpecialType.System_Int32 or SpecialType.System_Int64 or SpecialType.System_UInt32 or SpecialType.System_UInt64
            or SpecialType.System_Int16 or SpecialType.System_UInt16 or SpecialType.System_Byte or SpecialType.System_SByte;

    // `rng.Next()`: System.Random's non-negative 31-bit integer, which divided by int.MaxValue is the C idiom
    // `rand() / (float)RAND_MAX`, a uniform in [0, 1].
    private static bool IsWholeIntegerDraw(IInvocationOperation invocation) =>
        invocation.TargetMethod.Name == "Next" && invocation.Arguments.Length == 0
        && invocation.Type?.SpecialType is SpecialType.System_Int32 or SpecialType.System_Int64;
}
