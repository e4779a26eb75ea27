using GradApi.Engine.Graphs;

namespace GradApi.Engine.Tests.Support;

/// <summary>
/// A deliberately plain evaluator for small graphs, sharing nothing with the engine: it recurses
/// from the output through the ids, with <see cref="ReferenceOps"/> as its op rules. One node's
/// value can be nudged by a delta (its inputs unchanged, its readers recomputed), which is what a
/// finite difference of d output / d node needs.
/// </summary>
internal sealed class ReferenceEvaluator
{
    private readonly GraphSpec _spec;
    private readonly Dictionary<string, int> _indexOf = new(StringComparer.Ordinal);

    public ReferenceEvaluator(GraphSpec spec)
    {
        _spec = spec;
        for (int i = 0; i < spec.NodeCount; i++) _indexOf.Add(spec.Id(i), i);
    }

    public int IndexOf(string id) => _indexOf[id];

    /// <summary>The output's value, and the smallest kink margin among the nodes it was computed from.</summary>
    public (double Value, double KinkMargin) Evaluate(string output, int nudged = -1, double delta = 0)
    {
        var values = new double?[_spec.NodeCount];
        double margin = double.PositiveInfinity;

        double ValueOf(int i)
        {
            if (values[i] is { } known) return known;
            double v;
            if (_spec.Op(i) is "input" or "const")
            {
                v = _spec.Value(i);
            }
            else
            {
                int count = _spec.InputCountOf(i);
                var x = new double[count];
                var sources = new int[count];
                for (int k = 0; k < count; k++)
                {
                    sources[k] = _indexOf[_spec.Input(i, k)];
                    x[k] = ValueOf(sources[k]);
                }
                v = ReferenceOps.Apply(_spec.Op(i), x);
                margin = Math.Min(margin, ReferenceOps.KinkMargin(_spec.Op(i), x, sources));
            }
            if (i == nudged) v += delta;
            values[i] = v;
            return v;
        }

        return (ValueOf(_indexOf[output]), margin);
    }
}
