using System.Runtime.Intrinsics;
using GradApi.Engine.Ops;
using Xunit.Abstractions;

namespace GradApi.Engine.Tests.Ops;

/// <summary>
/// The engines' exp, log, tanh, sin and cos against the C library's (<see cref="Math"/>, within about
/// half an ulp of the true value): within <see cref="MaxUlp"/> ulp across the whole range each
/// function is used on, the same bits in a lane as on one number, and the IEEE special cases.
/// </summary>
public sealed class VectorMathTests(ITestOutputHelper output)
{
    /// <summary>Every function here is within 2 ulp of Math's (and so within about 2.5 of the truth).</summary>
    private const long MaxUlp = 2;

    private const int Count = 200_000;

    public static TheoryData<string> Functions => ["exp", "log", "tanh", "sin", "cos"];

    /// <summary>On one number: the op's scalar rule, as the scalar engine runs it.</summary>
    private static double Ours(string name, double x) =>
        OpTable.TryGet(name, out Op? op) ? OpTable.Forward1(op.Code, x) : throw new ArgumentOutOfRangeException(nameof(name));

    private static double Reference(string name, double x) => name switch
    {
        "exp" => Math.Exp(x),
        "log" => Math.Log(x),
        "tanh" => Math.Tanh(x),
        "sin" => Math.Sin(x),
        "cos" => Math.Cos(x),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    private static Vector256<double> Ours(string name, Vector256<double> x)
    {
        switch (name)
        {
            case "exp": return VectorMath.Exp(x);
            case "log": return VectorMath.Log(x);
            case "tanh": return VectorMath.Tanh(x);
            default:
                VectorMath.SinCos(x, out Vector256<double> sin, out Vector256<double> cos);
                return name == "sin" ? sin : cos;
        }
    }

    /// <summary>Arguments over each function's range: uniform on several scales, and random bit patterns.</summary>
    private static double[] Arguments(string name, int seed)
    {
        var rng = new Random(seed);
        var x = new double[Count];
        for (int i = 0; i < Count; i++)
        {
            x[i] = (name, i % 5) switch
            {
                ("exp", 0) => rng.NextDouble() * 1460 - 750,
                ("exp", 1) => (rng.NextDouble() * 2 - 1) * 1e-6,
                ("exp", _) => rng.NextDouble() * 40 - 20,
                ("log", 0) => BitConverter.Int64BitsToDouble(rng.NextInt64(1, 0x7FEFFFFFFFFFFFFF)),
                ("log", 1) => 1 + (rng.NextDouble() * 2 - 1) * 1e-3,
                ("log", _) => rng.NextDouble() * 10,
                ("tanh", 0) => (rng.NextDouble() * 2 - 1) * 1e-8,
                ("tanh", 1) => (rng.NextDouble() * 2 - 1) * 30,
                ("tanh", _) => rng.NextDouble() * 4 - 2,
                (_, 0) => (rng.NextDouble() * 2 - 1) * 1e5,
                (_, 1) => (rng.NextDouble() * 2 - 1) * 1e-6,
                (_, 2) => Math.Round(rng.NextDouble() * 200 - 100) * Math.PI / 2 + (rng.NextDouble() * 2 - 1) * 1e-9,
                _ => rng.NextDouble() * 20 - 10,
            };
        }
        return x;
    }

    private static long Ulps(double a, double b)
    {
        if (double.IsNaN(a) || double.IsNaN(b)) return double.IsNaN(a) && double.IsNaN(b) ? 0 : long.MaxValue;
        if (a == b) return 0;
        if (Math.Sign(a) != Math.Sign(b)) return long.MaxValue;
        return Math.Abs(BitConverter.DoubleToInt64Bits(a) - BitConverter.DoubleToInt64Bits(b));
    }

    [Theory]
    [MemberData(nameof(Functions))]
    public void IsWithinTwoUlpOfTheCLibrary(string name)
    {
        double[] x = Arguments(name, 7);
        long worst = 0;
        double worstAt = 0;
        int exact = 0;
        foreach (double a in x)
        {
            long ulps = Ulps(Reference(name, a), Ours(name, a));
            if (ulps == 0) exact++;
            if (ulps > worst) (worst, worstAt) = (ulps, a);
        }
        output.WriteLine($"{name}: {exact * 100.0 / x.Length:F2}% the same bits as Math.{name}, at most {worst} ulp apart (at {worstAt:R})");
        Assert.True(worst <= MaxUlp, $"{name}({worstAt:R}) is {worst} ulp from Math's {Reference(name, worstAt):R}: {Ours(name, worstAt):R}.");
    }

    [Theory]
    [MemberData(nameof(Functions))]
    public void EveryLaneIsTheScalarForm(string name)
    {
        double[] x = Arguments(name, 11);
        var rng = new Random(3);
        for (int i = 0; i + 4 <= x.Length; i += 4)
        {
            // Neighbours of every kind in one vector: a lane's answer must not depend on the others'.
            if (i % 16 == 0) x[i + rng.Next(4)] = rng.Next(3) switch { 0 => double.NaN, 1 => 1e300, _ => -0.0 };
            Vector256<double> lanes = Ours(name, Vector256.Create(x.AsSpan(i, 4)));
            for (int k = 0; k < 4; k++)
            {
                double scalar = Ours(name, x[i + k]);
                Assert.True(BitConverter.DoubleToInt64Bits(scalar) == BitConverter.DoubleToInt64Bits(lanes.GetElement(k)) || double.IsNaN(scalar) && double.IsNaN(lanes.GetElement(k)),
                    $"{name}({x[i + k]:R}): lane {k} gives {lanes.GetElement(k):R}, the scalar form {scalar:R}.");
            }
        }
    }

    [Theory]
    [InlineData("exp", 0.0, 1.0)]
    [InlineData("exp", double.PositiveInfinity, double.PositiveInfinity)]
    [InlineData("exp", double.NegativeInfinity, 0.0)]
    [InlineData("exp", 709.78, 1.7928227943945155e308)]
    [InlineData("exp", 709.8, double.PositiveInfinity)]
    [InlineData("exp", 1000.0, double.PositiveInfinity)]
    [InlineData("exp", -745.0, 5e-324)]
    [InlineData("exp", -746.0, 0.0)]
    [InlineData("exp", 1.0, Math.E)]
    [InlineData("log", 1.0, 0.0)]
    [InlineData("log", 0.0, double.NegativeInfinity)]
    [InlineData("log", -1.0, double.NaN)]
    [InlineData("log", double.NegativeInfinity, double.NaN)]
    [InlineData("log", double.PositiveInfinity, double.PositiveInfinity)]
    [InlineData("log", Math.E, 1.0)]
    [InlineData("log", 5e-324, -744.4400719213812)]
    [InlineData("tanh", 0.0, 0.0)]
    [InlineData("tanh", 30.0, 1.0)]
    [InlineData("tanh", -30.0, -1.0)]
    [InlineData("tanh", double.PositiveInfinity, 1.0)]
    [InlineData("tanh", double.NegativeInfinity, -1.0)]
    [InlineData("tanh", 1e-300, 1e-300)]
    [InlineData("sin", 0.0, 0.0)]
    [InlineData("sin", double.PositiveInfinity, double.NaN)]
    [InlineData("sin", 1e-300, 1e-300)]
    [InlineData("sin", 1e300, -0.8178819121159085)]
    [InlineData("cos", 0.0, 1.0)]
    [InlineData("cos", double.NegativeInfinity, double.NaN)]
    [InlineData("cos", 1e300, -0.5753861119575491)]
    public void SpecialCases(string name, double x, double expected)
    {
        double actual = Ours(name, x);
        Assert.True(Ulps(expected, actual) <= 1 && (expected != 0 || BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(actual)),
            $"{name}({x:R}) = {actual:R}, expected {expected:R}.");
    }

    [Fact]
    public void NegativeZero_KeepsItsSignWhereTheFunctionIsOdd()
    {
        Assert.Equal(1.0, Ours("exp", -0.0));
        Assert.Equal(double.NegativeInfinity, Ours("log", -0.0));
        Assert.True(double.IsNegative(Ours("tanh", -0.0)) && Ours("tanh", -0.0) == 0);
        Assert.True(double.IsNegative(Ours("sin", -0.0)) && Ours("sin", -0.0) == 0);
        Assert.Equal(1.0, Ours("cos", -0.0));
    }

    [Theory]
    [MemberData(nameof(Functions))]
    public void NaNGivesNaN(string name) => Assert.True(double.IsNaN(Ours(name, double.NaN)));
}
