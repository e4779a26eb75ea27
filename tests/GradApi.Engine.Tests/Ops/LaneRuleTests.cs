using System.Numerics.Tensors;
using GradApi.Engine.Ops;

namespace GradApi.Engine.Tests.Ops;

/// <summary>
/// Each op's rule over lanes gives, in every lane, the bits its scalar rules give: on many values,
/// across magnitudes, at both zeros, tiny and huge numbers and outside the op's domain (NaN is
/// taken as equal to NaN, whatever its payload). A new op fails here until its lane rule is right.
/// </summary>
public sealed class LaneRuleTests
{
    private const int Count = 20_000;

    public static TheoryData<string> Unary => new(OpTable.All.Where(op => op is { MinArity: 1, MaxArity: 1 }).Select(op => op.Name));

    public static TheoryData<string> Binary => new(OpTable.All.Where(op => op is { MinArity: 2 }).Select(op => op.Name));

    public static TheoryData<string> NAry => new(OpTable.All.Where(op => op.MaxArity == int.MaxValue).Select(op => op.Name));

    /// <summary>Values of every kind, some repeated so that two inputs tie.</summary>
    private static double[] Values(int seed)
    {
        var rng = new Random(seed);
        double[] special = [0, -0.0, 1, -1, 2, 0.5, 1e-310, -1e-310, 1e-300, 1e300, -1e300, 709, 710, -745, 20, -20, 37, 40, Math.PI, 1e6, -1e6];
        var values = new double[Count];
        for (int i = 0; i < Count; i++)
        {
            values[i] = (i % 10) switch
            {
                0 => special[rng.Next(special.Length)],
                1 => (rng.NextDouble() * 2 - 1) * 1000,
                2 => Math.Round(rng.NextDouble() * 8 - 4),
                3 => (rng.NextDouble() * 2 - 1) * 1e-3,
                _ => rng.NextDouble() * 8 - 4,
            };
        }
        return values;
    }

    private static void Same(double expected, double actual, string what)
    {
        if (BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(actual)) return;
        if (double.IsNaN(expected) && double.IsNaN(actual)) return;
        Assert.Fail($"{what}: the scalar rule gives {expected:R}, the lane rule {actual:R}.");
    }

    [Theory]
    [MemberData(nameof(Unary))]
    public void OneInput_EveryLaneIsTheScalarRule(string name)
    {
        OpCode code = Code(name);
        double[] a = Values(1);
        double[] y = new double[Count], local = new double[Count], forward = new double[Count];

        OpTable.Lanes1(code, a, y, local);
        OpTable.Lanes1(code, a, forward, default);

        for (int i = 0; i < Count; i++)
        {
            double expected = OpTable.Train1(code, a[i], out double expectedLocal);
            Same(expected, y[i], $"{name}({a[i]:R})");
            Same(expectedLocal, local[i], $"{name}'s slope at {a[i]:R}");
            Same(OpTable.Forward1(code, a[i]), forward[i], $"{name}({a[i]:R}), values only");
        }
    }

    [Theory]
    [MemberData(nameof(Binary))]
    public void TwoInputs_EveryLaneIsTheScalarRule(string name)
    {
        OpCode code = Code(name);
        double[] a = Values(2), b = Values(3);
        for (int i = 0; i < Count; i += 7) b[i] = a[i]; // ties
        double[] y = new double[Count], da = new double[Count], db = new double[Count], forward = new double[Count];

        OpTable.Lanes2(code, a, b, y, da, db);
        OpTable.Lanes2(code, a, b, forward, default, default);

        for (int i = 0; i < Count; i++)
        {
            double expected = OpTable.Train2(code, a[i], b[i], out double expectedA, out double expectedB);
            string at = $"{name}({a[i]:R}, {b[i]:R})";
            Same(expected, y[i], at);
            Same(expectedA, da[i], $"{at}: slope to a");
            Same(expectedB, db[i], $"{at}: slope to b");
            Same(OpTable.Forward2(code, a[i], b[i]), forward[i], $"{at}, values only");
        }
    }

    [Theory]
    [MemberData(nameof(NAry))]
    public void ThreeToFiveInputs_EveryLaneIsTheTablesRules(string name)
    {
        Op op = OpTable.Get(Code(name));
        for (int arity = 3; arity <= 5; arity++)
        {
            // Rows of one buffer, read in a shuffled order, as the engine reads its inputs.
            double[] store = new double[(arity + 1) * Count];
            int[] rows = Enumerable.Range(0, arity).Reverse().ToArray();
            for (int k = 0; k < arity; k++) Values(10 + k).CopyTo(store, rows[k] * Count);
            for (int i = 0; i < Count; i += 5) store[rows[2] * Count + i] = store[rows[0] * Count + i]; // ties
            for (int i = 3; i < Count; i += 50) store[rows[1] * Count + i] = 0; // zeros beside overflows
            double[] locals = new double[arity * Count], y = new double[Count], forward = new double[Count], scratch = new double[Count];

            OpTable.LanesN(op.Code, new LaneRows(store, rows, Count, Count), y, new LaneRows(locals, 0, arity, Count, Count), scratch);
            OpTable.LanesN(op.Code, new LaneRows(store, rows, Count, Count), forward, default, scratch);

            var x = new double[arity];
            var expectedLocal = new double[arity];
            for (int i = 0; i < Count; i++)
            {
                for (int k = 0; k < arity; k++) x[k] = store[rows[k] * Count + i];
                double expected = op.Forward(x);
                op.LocalGradient(x, expected, expectedLocal);
                string at = $"{name}({string.Join(", ", x.Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))})";
                Same(expected, y[i], at);
                Same(expected, forward[i], $"{at}, values only");
                for (int k = 0; k < arity; k++) Same(expectedLocal[k], locals[k * Count + i], $"{at}: slope to input {k}");
            }
        }
    }

    [Fact]
    public void MultiplyAdd_IsAProductRoundedThenASum_AsTheScalarBackwardComputesIt()
    {
        // Backward's one TensorPrimitives call must round as grads[input] + grad * local does, not fuse.
        double[] grad = Values(20), local = Values(21), sum = Values(22), result = new double[Count];
        for (int i = 0; i < Count; i += 3) { grad[i] = 1 + Math.ScaleB(1, -30); local[i] = 1 - Math.ScaleB(1, -30); sum[i] = -1; } // FMA would differ

        TensorPrimitives.MultiplyAdd(grad, local, sum, result);

        for (int i = 0; i < Count; i++) Same(sum[i] + grad[i] * local[i], result[i], $"{sum[i]:R} + {grad[i]:R} * {local[i]:R}");

        // The first grad an input gets is written as 0 + grad * local (0 + -0 is 0), not added to a cleared row.
        for (int i = 0; i < Count; i += 7) grad[i] = -0.0;
        TensorPrimitives.MultiplyAdd(grad, local, 0.0, result);
        for (int i = 0; i < Count; i++) Same(0 + grad[i] * local[i], result[i], $"0 + {grad[i]:R} * {local[i]:R}");
        TensorPrimitives.Add(grad, 0.0, result);
        for (int i = 0; i < Count; i++) Same(0 + grad[i] * 1, result[i], $"0 + {grad[i]:R} * 1");
        TensorPrimitives.Subtract(0.0, grad, result);
        for (int i = 0; i < Count; i++) Same(0 + grad[i] * -1, result[i], $"0 + {grad[i]:R} * -1");
    }

    [Fact]
    public void TensorPrimitivesTranscendentals_AreNotMaths_SoBothEnginesShareVectorMath()
    {
        // Why exp, log, tanh, sigmoid, sin and cos have their own four-lane forms (VectorMath), one
        // number being lane 0 of a broadcast: TensorPrimitives' vectorised versions differ from Math.*
        // in the last bits on ordinary values (measured: 1 to 4 ulp, tanh far more near 0), so neither
        // gives a scalar engine and a batch engine the same bits. Should a later version agree with
        // Math.* everywhere, this fails, and the choice can be made again.
        var rng = new Random(4);
        double[] a = Enumerable.Range(0, Count).Select(_ => rng.NextDouble() * 20 - 10).ToArray();
        double[] positive = a.Select(Math.Abs).ToArray();
        double[] y = new double[Count];
        int Differing(Func<double, double> scalar, ReadOnlySpan<double> x)
        {
            int differing = 0;
            for (int i = 0; i < Count; i++)
                if (BitConverter.DoubleToInt64Bits(scalar(x[i])) != BitConverter.DoubleToInt64Bits(y[i])) differing++;
            return differing;
        }

        TensorPrimitives.Exp(a, y);
        Assert.NotEqual(0, Differing(Math.Exp, a));
        TensorPrimitives.Log(positive, y);
        Assert.NotEqual(0, Differing(Math.Log, positive));
        TensorPrimitives.Tanh(a, y);
        Assert.NotEqual(0, Differing(Math.Tanh, a));
        TensorPrimitives.Sin(a, y);
        Assert.NotEqual(0, Differing(Math.Sin, a));
        TensorPrimitives.Cos(a, y);
        Assert.NotEqual(0, Differing(Math.Cos, a));
        // sqrt is correctly rounded everywhere, so TensorPrimitives' is the scalar rule's.
        TensorPrimitives.Sqrt(positive, y);
        Assert.Equal(0, Differing(Math.Sqrt, positive));
    }

    private static OpCode Code(string name) => OpTable.TryGet(name, out Op? op) ? op.Code : throw new ArgumentException(name);
}
