using GradApi.Engine.Compilation;
using GradApi.Engine.Evaluation;

namespace GradApi.Engine.Insight;

/// <summary>
/// A training evaluation together with the backward pass's steps, in the order the pass takes
/// them: nodes in reverse tape order, and each node's inputs in its <c>inputs</c> order.
/// <para>
/// Every edge is listed. A node whose grad is 0 is skipped by the backward pass (nothing flows
/// back, not even 0 * infinity); its steps are listed with upstream 0 and product 0, so a
/// node's grad is always the sum of the products whose input it is (plus the seed, for the
/// output). A step's local may be non-finite only where its upstream is 0 (<c>sqrt</c> at 0 on
/// a branch that does not reach the output): anywhere else the evaluation fails instead.
/// </para>
/// <para>
/// The steps are read after the pass from the local gradients the forward pass cached and the
/// final grads: a node's grad is complete before backward reaches it (every reader sits later
/// on the tape), so the upstream the pass used is the grad it ends with. For
/// <c>(x+y)*z</c> the tape is x, y, q, z, f (Kahn's order, each leaf placed just before its first
/// reader), so the steps are f-&gt;q, f-&gt;z, q-&gt;x, q-&gt;y.
/// </para>
/// </summary>
public sealed class ExplainTrace
{
    private ExplainTrace(EvaluationResult evaluation, BackwardStep[] steps)
    {
        Evaluation = evaluation;
        Steps = steps;
    }

    /// <summary>The training evaluation the steps come from; valid until its engine evaluates again.</summary>
    public EvaluationResult Evaluation { get; }

    /// <summary>One step per edge; empty when the evaluation failed.</summary>
    public IReadOnlyList<BackwardStep> Steps { get; }

    /// <summary>Evaluates <paramref name="tape"/> in training mode on <paramref name="engine"/> and lists the backward steps.</summary>
    public static ExplainTrace Run(GraphEngine engine, Tape tape, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(tape);
        EvaluationResult evaluation = engine.Evaluate(tape, EvaluationMode.Training, cancellationToken);
        if (!evaluation.Succeeded) return new ExplainTrace(evaluation, []);

        ReadOnlySpan<double> partials = engine.CachedPartials(tape);
        var steps = new BackwardStep[tape.EdgeCount];
        int[] edgeStart = tape.EdgeStart, edgeInput = tape.EdgeInput;
        int s = 0;
        for (int p = tape.NodeCount - 1; p >= 0; p--)
        {
            int node = tape.NodeIndexAt(p);
            double upstream = evaluation.GradOf(node);
            for (int e = edgeStart[p]; e < edgeStart[p + 1]; e++)
            {
                int input = tape.NodeIndexAt(edgeInput[e]);
                double local = partials[e];
                double product = upstream == 0 ? 0 : upstream * local;
                steps[s++] = new BackwardStep(tape.Spec.Id(node), tape.Spec.Id(input), node, input,
                    e - edgeStart[p], local, upstream, product);
            }
        }
        return new ExplainTrace(evaluation, steps);
    }
}
