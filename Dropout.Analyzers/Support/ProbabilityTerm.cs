namespace Dropout.Analyzers;

/// <summary>What a <see cref="ProbabilityTerm"/> knows about a value.</summary>
internal enum ProbabilityTermKind
{
    /// <summary>A number known at compile time.</summary>
    Constant,

    /// <summary><c>c · s^a · (1 - s)^b</c> for the site's probability symbol <c>s</c>.</summary>
    Power,

    /// <summary>A value that does not depend on the probability (a fan-in, a learning rate, an activation).</summary>
    Unrelated,

    /// <summary>A value that depends on the probability in a way the model does not follow, or that cannot be seen; rules stay silent on it.</summary>
    Unknown,
}

/// <summary>
/// A value as a monomial of a dropout site's probability symbol <c>s</c>: <c>c · s^a · (1 - s)^b</c>. It is how the model
/// tells <c>1 / (1 - rate)</c> (the right scale for a drop rate) from <c>1 / rate</c> (the wrong one) and from
/// <c>2.0f / fanIn</c> (no dropout scale at all), whatever fields, properties and locals the value went through.
/// </summary>
internal readonly struct ProbabilityTerm : IEquatable<ProbabilityTerm>
{
    private const double Tolerance = 1e-6;

    private ProbabilityTerm(ProbabilityTermKind kind, double coefficient, int rateExponent, int complementExponent)
    {
        Kind = kind;
        Coefficient = coefficient;
        RateExponent = rateExponent;
        ComplementExponent = complementExponent;
    }

    public static ProbabilityTerm Unknown { get; } = new(ProbabilityTermKind.Unknown, 0, 0, 0);

    public static ProbabilityTerm Unrelated { get; } = new(ProbabilityTermKind.Unrelated, 0, 0, 0);

    /// <summary>The probability symbol itself, <c>s</c>.</summary>
    public static ProbabilityTerm Symbol { get; } = new(ProbabilityTermKind.Power, 1, 1, 0);

    public ProbabilityTermKind Kind { get; }

    public double Coefficient { get; }

    /// <summary>The exponent of <c>s</c>.</summary>
    public int RateExponent { get; }

    /// <summary>The exponent of <c>1 - s</c>.</summary>
    public int ComplementExponent { get; }

    /// <summary>Whether the value depends on the probability symbol (in a way the model follows or not).</summary>
    public bool DependsOnProbability => Kind is ProbabilityTermKind.Power or ProbabilityTermKind.Unknown;

    public static ProbabilityTerm Constant(double value) => new(ProbabilityTermKind.Constant, value, 0, 0);

    private static ProbabilityTerm Power(double coefficient, int rateExponent, int complementExponent) =>
        rateExponent == 0 && complementExponent == 0
            ? Constant(coefficient)
            : Math.Abs(rateExponent) + Math.Abs(complementExponent) > 4 ? Unknown : new(ProbabilityTermKind.Power, coefficient, rateExponent, complementExponent);

    public ProbabilityTerm Multiply(ProbabilityTerm other)
    {
        if (Kind == ProbabilityTermKind.Unknown || other.Kind == ProbabilityTermKind.Unknown)
        {
            return Unknown;
        }

        if (Kind == ProbabilityTermKind.Unrelated || other.Kind == ProbabilityTermKind.Unrelated)
        {
            // fanIn · 2 is still unrelated; fanIn / p mixes a dropout scale with something else, which the model does not judge.
            return Kind == ProbabilityTermKind.Power || other.Kind == ProbabilityTermKind.Power ? Unknown : Unrelated;
        }

        return Power(Coefficient * other.Coefficient, RateExponent + other.RateExponent, ComplementExponent + other.ComplementExponent);
    }

    public ProbabilityTerm Reciprocal() => Kind switch
    {
        ProbabilityTermKind.Constant when Coefficient == 0 => Unknown,
        ProbabilityTermKind.Constant => Constant(1 / Coefficient),
        ProbabilityTermKind.Power when Coefficient == 0 => Unknown,
        ProbabilityTermKind.Power => Power(1 / Coefficient, -RateExponent, -ComplementExponent),
        _ => this,
    };

    public ProbabilityTerm Divide(ProbabilityTerm divisor) => Multiply(divisor.Reciprocal());

    /// <summary><c>1 - this</c>: turns a keep probability into a drop rate and back.</summary>
    public ProbabilityTerm OneMinus() => Kind switch
    {
        ProbabilityTermKind.Constant => Constant(1 - Coefficient),
        ProbabilityTermKind.Power when Near(Coefficient, 1) && RateExponent == 1 && ComplementExponent == 0 => Power(1, 0, 1),
        ProbabilityTermKind.Power when Near(Coefficient, 1) && RateExponent == 0 && ComplementExponent == 1 => Power(1, 1, 0),
        ProbabilityTermKind.Unrelated => Unrelated,
        _ => Unknown,
    };

    /// <summary>
    /// The number this term comes to when the probability symbol holds <paramref name="value"/>: a constant stays itself,
    /// a monomial is computed, and anything else (or a power of zero in a denominator) is unknown.
    /// </summary>
    public ProbabilityTerm At(double value) => Kind switch
    {
        ProbabilityTermKind.Constant => this,
        ProbabilityTermKind.Power when (value == 0 && RateExponent < 0) || (value == 1 && ComplementExponent < 0) => Unknown,
        ProbabilityTermKind.Power => Constant(Coefficient * Math.Pow(value, RateExponent) * Math.Pow(1 - value, ComplementExponent)),
        _ => Unknown,
    };

    /// <summary><c>this ± other</c>, which the model follows only for constants and for <c>1 - s</c>.</summary>
    public ProbabilityTerm AddOrSubtract(ProbabilityTerm other, bool subtract)
    {
        if (Kind == ProbabilityTermKind.Constant && other.Kind == ProbabilityTermKind.Constant)
        {
            return Constant(subtract ? Coefficient - other.Coefficient : Coefficient + other.Coefficient);
        }

        if (subtract && Kind == ProbabilityTermKind.Constant && Near(Coefficient, 1))
        {
            return other.OneMinus();
        }

        return DependsOnProbability || other.DependsOnProbability ? Unknown : Unrelated;
    }

    public bool Equals(ProbabilityTerm other) =>
        Kind == other.Kind
        && Kind is ProbabilityTermKind.Constant or ProbabilityTermKind.Power
        && RateExponent == other.RateExponent
        && ComplementExponent == other.ComplementExponent
        && Near(Coefficient, other.Coefficient);

    public override bool Equals(object? obj) => obj is ProbabilityTerm other && Equals(other);

    public override int GetHashCode() => ((int)Kind * 31 + RateExponent) * 31 + ComplementExponent;

    public override string ToString() => Kind switch
    {
        ProbabilityTermKind.Constant => Coefficient.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        ProbabilityTermKind.Power => $"{Coefficient}·s^{RateExponent}·(1-s)^{ComplementExponent}",
        _ => Kind.ToString(),
    };

    private static bool Near(double a, double b) => Math.Abs(a - b) <= Tolerance * Math.Max(1, Math.Abs(b));
}
