namespace Dropout.Tests.Runtime;

/// <summary>
/// The activation operators against System.Math. The transcendental ones are polynomial approximations (see
/// ActivationMath), so these tests state a tolerance; that every width and the fused kernels reproduce the operators
/// bit for bit is <see cref="FusedEpilogueTests"/>' job.
/// </summary>
public class FusedActivationTests
{
    private const double SqrtTwoOverPi = 0.7978845608028654;
    private const double Cubic = 0.044715;

    // Relative tolerances, scaled by 1 + the function's condition number κ = |x·f'(x)/f(x)|: rounding the argument
    // alone (x + 0.044715·x³ for GELU, 2|x| for tanh) moves the exact result by κ·ε, which in GELU's far negative
    // tail is in the thousands. Before that scaling: double, the exponential is accurate to about 2^-52 and each
    // function adds a few roundings (division, the sum 1 + e), so 1e-14 allows about 45 ulp; float, the same with
    // float roundings: 2e-6 allows about 16 ulp. An absolute floor covers results near 0 where relative error means
    // nothing: saturated tails where the exact value underflows and ours is a tiny number (e^y saturates at the clamp,
    // see ActivationMath), and 1 - tanh², which is computed from t and so has an absolute error of a few ulp of 1.
    private const double DoubleTolerance = 1e-14, DoubleFloor = 1e-300;
    private const float FloatTolerance = 2e-6f;
    private const double FloatFloor = 1e-35;

    public static TheoryData<string> Functions => new() { "Tanh", "SiLU", "GeluTanh" };

    [Theory]
    [MemberData(nameof(Functions))]
    public void Double_ValueAndDerivative_MatchSystemMath(string function)
    {
        foreach (double x in Points())
        {
            (double value, double derivative) = Exact(function, x);
            (double ourValue, double ourDerivative) = Ours<double>(function, x);
            double condition = 1 + Condition(value, derivative, x);
            AssertClose(value, ourValue, DoubleTolerance * condition, DoubleFloor, $"{function}({x})");

            // The derivatives carry one more rounding chain (1 - t², products of three factors).
            AssertClose(derivative, ourDerivative, 4 * DoubleTolerance * condition, 1e-15, $"{function}'({x})");
        }
    }

    [Theory]
    [MemberData(nameof(Functions))]
    public void Float_ValueAndDerivative_MatchSystemMath(string function)
    {
        foreach (double point in Points())
        {
            float x = (float)point;
            (double value, double derivative) = Exact(function, x);
            (float ourValue, float ourDerivative) = Ours<float>(function, x);
            double condition = 1 + Condition(value, derivative, x);
            AssertClose(value, ourValue, FloatTolerance * condition, FloatFloor, $"{function}({x})");
            AssertClose(derivative, ourDerivative, 4 * FloatTolerance * condition, 4.0 / (1 << 24), $"{function}'({x})");
        }
    }

    [Fact]
    public void Tanh_SpecialValues()
    {
        var tanh = default(TanhActivation<double>);
        Assert.Equal(1.0, tanh.Invoke(double.PositiveInfinity));
        Assert.Equal(-1.0, tanh.Invoke(double.NegativeInfinity));
        Assert.True(double.IsNaN(tanh.Invoke(double.NaN)));
        Assert.True(double.IsNegative(tanh.Invoke(-0.0)) && tanh.Invoke(-0.0) == 0);
        Assert.Equal(1e-300, tanh.Invoke(1e-300));
        Assert.True(float.IsNaN(default(TanhActivation<float>).Invoke(float.NaN)));
    }

    [Fact]
    public void SmoothActivations_PropagateNaN_AndPassPositiveInfinity()
    {
        Assert.True(double.IsNaN(default(SiLUActivation<double>).Invoke(double.NaN)));
        Assert.True(double.IsNaN(default(GeluTanhActivation<double>).Invoke(double.NaN)));
        Assert.True(double.IsNaN(default(SiLUActivation<double>).Derivative(double.NaN)));
        Assert.True(double.IsNaN(default(GeluTanhActivation<double>).Derivative(double.NaN)));
        Assert.Equal(double.PositiveInfinity, default(SiLUActivation<double>).Invoke(double.PositiveInfinity));
        Assert.Equal(float.PositiveInfinity, default(GeluTanhActivation<float>).Invoke(float.PositiveInfinity));
    }

    [Fact]
    public void SmoothActivations_AtNegativeInfinity_GiveNegativeInfinity_AsDocumented()
    {
        // docs/fused.md: the exponent is clamped, so x / (1 + e^(-x)) at -∞ is -∞ / (a finite number), not the limit 0.
        Assert.Equal(double.NegativeInfinity, default(SiLUActivation<double>).Invoke(double.NegativeInfinity));
        Assert.Equal(float.NegativeInfinity, default(GeluTanhActivation<float>).Invoke(float.NegativeInfinity));
    }

    [Fact]
    public void ReLU_ZeroesNonPositiveValues_AndPassesNaN()
    {
        var relu = default(ReLUActivation<float>);
        Assert.Equal(0f, relu.Invoke(-3f));
        Assert.False(float.IsNegative(relu.Invoke(-0f)));
        Assert.Equal(2.5f, relu.Invoke(2.5f));
        Assert.True(float.IsNaN(relu.Invoke(float.NaN)));
        Assert.Equal(0f, relu.Derivative(0f));
        Assert.Equal(1f, relu.Derivative(1e-30f));
        Assert.Equal(ActivationGradient.PositiveGate, relu.Gradient);
    }

    [Fact]
    public void LeakyReLU_ScalesNonPositiveValuesBySlope()
    {
        var leaky = new LeakyReLUActivation<double>(0.2);
        Assert.Equal(-0.6000000000000001, leaky.Invoke(-3.0));
        Assert.Equal(4.0, leaky.Invoke(4.0));
        Assert.Equal(0.2, leaky.Derivative(-1.0));
        Assert.Equal(0.2, leaky.Derivative(0.0));
        Assert.Equal(1.0, leaky.Derivative(1.0));
        Assert.Equal(0.2, leaky.Slope);
    }

    private static IEnumerable<double> Points()
    {
        var random = new System.Random(11);
        for (int i = 0; i < 4000; i++)
        {
            yield return (random.NextDouble() * 60) - 30;
        }

        for (int i = 0; i < 1000; i++)
        {
            yield return (random.NextDouble() * 2) - 1;
        }

        foreach (double special in new[] { 0.0, 1e-300, 1e-30, 1e-10, 1e-5, 0.1733, 0.3466, 0.35, 1.0, 5.0, 9.0, 20.0, 44.0, 90.0, 300.0, 800.0 })
        {
            yield return special;
            yield return -special;
        }
    }

    private static double Condition(double value, double derivative, double x) =>
        value == 0 || double.IsInfinity(x) ? 0 : Math.Abs(x * derivative / value);

    private static (double Value, double Derivative) Exact(string function, double x)
    {
        switch (function)
        {
            case "Tanh":
                double t = Math.Tanh(x);
                return (t, 1 - (t * t));
            case "SiLU":
                double sigma = 1 / (1 + Math.Exp(-x));
                return (x * sigma, sigma * (1 + (x * (1 - sigma))));
            default:
                // GELU, tanh form, written as x·σ(2u) (equal to 0.5·x·(1 + tanh u), without its cancellation for x < 0).
                double u = SqrtTwoOverPi * (x + (Cubic * x * x * x));
                double s = 1 / (1 + Math.Exp(-2 * u));
                double du = SqrtTwoOverPi * (1 + (3 * Cubic * x * x));
                return (x * s, s + (x * 2 * du * s * (1 - s)));
        }
    }

    private static (T Value, T Derivative) Ours<T>(string function, T x)
        where T : unmanaged => function switch
        {
            "Tanh" => (default(TanhActivation<T>).Invoke(x), default(TanhActivation<T>).Derivative(x)),
            "SiLU" => (default(SiLUActivation<T>).Invoke(x), default(SiLUActivation<T>).Derivative(x)),
            _ => (default(GeluTanhActivation<T>).Invoke(x), default(GeluTanhActivation<T>).Derivative(x)),
        };

    private static void AssertClose(double expected, double actual, double relative, double floor, string what)
    {
        double error = Math.Abs(actual - expected);
        Assert.True(error <= Math.Max(relative * Math.Abs(expected), floor), $"{what}: {actual:R}, exact {expected:R}, error {error:E2} (relative {error / Math.Abs(expected):E2})");
    }
}
