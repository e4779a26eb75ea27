using GradApi.Engine.Compilation;
using GradApi.Engine.Evaluation;
using GradApi.Engine.Ops;

namespace GradApi.Engine.Insight;

/// <summary>
/// Checks a training evaluation's grads of the input leaves (not the consts) against central
/// differences, as torch.autograd.gradcheck does: numeric = seed * (f(x + eps) - f(x - eps)) / (2 eps),
/// passed when |analytic - numeric| &lt;= atol + rtol * |numeric|. Past
/// <see cref="GradientCheckOptions.MaxLeaves"/> input leaves it checks one random unit direction v
/// instead (JAX's check_grads style): grad · v against the central difference along v.
/// <para>
/// Nothing is compiled again: the part of the compiled tape that leads to the output is copied
/// once into a tape of the check's own, whose leaf values each forward pass (inference mode, on an
/// engine of the check's own) moves and puts back, so the caller's evaluation stays valid. Two
/// forward passes per leaf, or two in all for a direction.
/// </para>
/// </summary>
public static class GradientCheck
{
    /// <param name="training">A successful training evaluation; its grads are the analytic side.</param>
    public static GradientCheckResult Run(EvaluationResult training, GradientCheckOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        options ??= GradientCheckOptions.Default;
        if (!(options.Eps > 0 && double.IsFinite(options.Eps)))
            throw new ArgumentOutOfRangeException(nameof(options), "Eps must be a positive finite number.");
        if (!(options.Atol >= 0) || !(options.Rtol >= 0) || options.MaxLeaves < 0)
            throw new ArgumentOutOfRangeException(nameof(options), "Atol, Rtol and MaxLeaves must not be negative.");
        if (!training.HasGrads || !training.Succeeded)
            throw new ArgumentException("A gradient check needs a successful training evaluation.", nameof(training));

        // Everything needed from the evaluation is read before any forward pass runs.
        Tape tape = training.Tape;
        var leaves = new List<int>();
        for (int node = 0; node < tape.NodeCount; node++)
            if (tape.OpAt(tape.PositionOf(node)) == OpCode.Input) leaves.Add(node);
        double[] analytic = leaves.Select(training.GradOf).ToArray();
        bool[] reaches = ReachesOutput(tape);
        IReadOnlyList<Kink> kinks = FindKinks(training, reaches);

        using var engine = new GraphEngine();
        var probe = new Probe(engine, tape, reaches, options.Eps, cancellationToken);
        if (leaves.Count <= options.MaxLeaves)
        {
            var checks = new LeafCheck[leaves.Count];
            for (int i = 0; i < leaves.Count; i++)
            {
                int node = leaves[i];
                double? numeric = probe.Slope([tape.PositionOf(node)], [1.0]);
                (double? error, bool passed) = Compare(analytic[i], numeric, options);
                checks[i] = new LeafCheck(tape.Spec.Id(node), node, analytic[i], numeric, error, passed);
            }
            return new GradientCheckResult(options.Eps, options.Atol, options.Rtol, GradientCheckMethod.Leaves,
                checks.All(c => c.Passed), checks, null, kinks);
        }

        double[] direction = RandomUnitVector(leaves.Count, options.RandomSeed);
        double along = 0;
        for (int i = 0; i < leaves.Count; i++) along += analytic[i] * direction[i];
        double? slope = probe.Slope(leaves.Select(tape.PositionOf).ToArray(), direction);
        (double? absError, bool ok) = Compare(along, slope, options);
        return new GradientCheckResult(options.Eps, options.Atol, options.Rtol, GradientCheckMethod.Direction,
            ok, [], new DirectionCheck(along, slope, absError, ok), kinks);
    }

    private static (double? AbsError, bool Passed) Compare(double analytic, double? numeric, GradientCheckOptions options)
    {
        if (numeric is not { } n) return (null, false);
        double error = Math.Abs(analytic - n);
        return (error, error <= options.Atol + options.Rtol * Math.Abs(n));
    }

    /// <summary>
    /// Every node on a path to the output whose op's kink rule holds at the values it was evaluated
    /// at, in request order. A node off every path cannot bend the output, so it is not listed. An
    /// input named twice by an n-ary gate counts once: max(x, x) is x, which has no kink.
    /// </summary>
    private static List<Kink> FindKinks(in EvaluationResult training, bool[] reaches)
    {
        Tape tape = training.Tape;
        var kinks = new List<Kink>();
        var x = new double[tape.MaxArity];
        var distinct = new HashSet<int>();
        for (int node = 0; node < tape.NodeCount; node++)
        {
            int p = tape.PositionOf(node);
            Op op = OpTable.Get(tape.OpAt(p));
            if (op.Kink is null || !reaches[p]) continue;
            ReadOnlySpan<int> inputs = tape.InputsAt(p);
            bool nAry = op.MaxArity == int.MaxValue;
            distinct.Clear();
            int count = 0;
            foreach (int input in inputs)
                if (!nAry || distinct.Add(input)) x[count++] = training.ValueOf(tape.NodeIndexAt(input));
            if (op.Kink(x.AsSpan(0, count), training.ValueOf(node)))
                kinks.Add(new Kink(tape.Spec.Id(node), node, op.Name));
        }
        return kinks;
    }

    /// <summary>For each position, whether a path leads from it to the output: one reverse sweep of the tape.</summary>
    private static bool[] ReachesOutput(Tape tape)
    {
        var reaches = new bool[tape.NodeCount];
        reaches[tape.Output] = true;
        for (int p = tape.Output; p >= 0; p--)
        {
            if (!reaches[p]) continue;
            foreach (int input in tape.InputsAt(p)) reaches[input] = true;
        }
        return reaches;
    }

    /// <summary>Gaussian entries (Box-Muller) scaled to length 1, from a seeded generator.</summary>
    private static double[] RandomUnitVector(int length, int seed)
    {
        var random = new Random(seed);
        var v = new double[length];
        double norm;
        do
        {
            for (int i = 0; i < length; i++)
                v[i] = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            norm = Math.Sqrt(v.Sum(a => a * a));
        }
        while (norm == 0);
        for (int i = 0; i < length; i++) v[i] /= norm;
        return v;
    }

    /// <summary>
    /// Runs the part of the tape that leads to the output forward at points near its own leaf values.
    /// Only that part: a node off every path to the output cannot move it, and must not stop a probe
    /// when a perturbed leaf makes it undefined (the log of a dead branch at x - eps &lt; 0).
    /// </summary>
    private sealed class Probe
    {
        private readonly GraphEngine _engine;
        private readonly double _eps;
        private readonly double _seed;
        private readonly double[] _base;
        private readonly double[] _leafValues;
        private readonly int[] _conePosition;
        private readonly Tape _cone;
        private readonly CancellationToken _cancellationToken;

        public Probe(GraphEngine engine, Tape tape, bool[] reaches, double eps, CancellationToken cancellationToken)
        {
            _engine = engine;
            _eps = eps;
            _seed = tape.Seed;
            // The cone's leaf values are its own, fresh array: the probe moves them and puts them back.
            _cone = OutputCone(tape, reaches, out _conePosition);
            _leafValues = _cone.LeafValues;
            _base = (double[])_leafValues.Clone();
            _cancellationToken = cancellationToken;
        }

        /// <summary>
        /// seed * (f(x + eps v) - f(x - eps v)) / (2 eps), moving the leaves at the tape's
        /// <paramref name="positions"/> by <paramref name="v"/>; null if either value is not finite.
        /// A leaf off every path to the output moves nothing, so its slope is 0.
        /// </summary>
        public double? Slope(int[] positions, double[] v)
        {
            double? plus = ValueAt(positions, v, _eps);
            double? minus = ValueAt(positions, v, -_eps);
            if (plus is null || minus is null) return null;
            double slope = _seed * (plus.Value - minus.Value) / (2 * _eps);
            return double.IsFinite(slope) ? slope : null;
        }

        private double? ValueAt(int[] positions, double[] v, double step)
        {
            for (int i = 0; i < positions.Length; i++)
                if (_conePosition[positions[i]] is var q and >= 0) _leafValues[q] = _base[q] + step * v[i];
            EvaluationResult run = _engine.Evaluate(_cone, EvaluationMode.Inference, _cancellationToken);
            _base.CopyTo(_leafValues, 0);
            return run.Succeeded && double.IsFinite(run.Value) ? run.Value : null;
        }

        /// <summary>
        /// The positions that lead to the output, as a tape of their own in the same order;
        /// <paramref name="conePosition"/> maps each position of <paramref name="tape"/> to its
        /// position there, or -1.
        /// </summary>
        private static Tape OutputCone(Tape tape, bool[] reaches, out int[] conePosition)
        {
            int n = tape.NodeCount, count = 0, edges = 0;
            conePosition = new int[n];
            for (int p = 0; p < n; p++)
            {
                conePosition[p] = reaches[p] ? count++ : -1;
                if (reaches[p]) edges += tape.InputsAt(p).Length;
            }

            var ops = new OpCode[count];
            var leafValues = new double[count];
            var nodeAt = new int[count];
            var edgeStart = new int[count + 1];
            var edgeInput = new int[edges];
            var positionOfNode = new int[tape.Spec.NodeCount];
            Array.Fill(positionOfNode, -1);
            int e = 0, maxArity = 0;
            for (int p = 0; p < n; p++)
            {
                int q = conePosition[p];
                if (q < 0) continue;
                (ops[q], leafValues[q], nodeAt[q], edgeStart[q]) = (tape.Ops[p], tape.LeafValues[p], tape.NodeAt[p], e);
                positionOfNode[nodeAt[q]] = q;
                foreach (int input in tape.InputsAt(p)) edgeInput[e++] = conePosition[input];
                maxArity = Math.Max(maxArity, e - edgeStart[q]);
            }
            edgeStart[count] = e;
            int output = conePosition[tape.Output];
            return new Tape(tape.Spec, count, e, ops, leafValues, edgeStart, edgeInput, nodeAt, positionOfNode, output,
                tape.Seed, maxArity, GraphCompiler.PlanSlots(count, e, edgeStart, edgeInput, output, pooled: false), ownsArrays: false);
        }
    }
}
