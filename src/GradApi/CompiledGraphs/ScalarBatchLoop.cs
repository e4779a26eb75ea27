using GradApi.Engine.Evaluation;

namespace GradApi.CompiledGraphs;

/// <summary>What a batch evaluation produced: the output's value per point and the grads asked for, or the first failure.</summary>
internal sealed class BatchAnswer(int size, double[] values, double[][] grads)
{
    public int Size { get; } = size;

    /// <summary>The output's value at each point.</summary>
    public double[] Values { get; } = values;

    /// <summary>For each node asked for, its grad at each point, or one number when reduced.</summary>
    public double[][] Grads { get; } = grads;

    public NumericError? Error { get; init; }

    /// <summary>The first point that produced <see cref="Error"/>; -1 on success.</summary>
    public int SampleIndex { get; init; } = -1;

    public TimeSpan ForwardTime { get; init; }

    public TimeSpan BackwardTime { get; init; }
}

/// <summary>
/// A batch evaluated one point at a time with the scalar engine, each point's leaves set from the batch. It stands
/// in for the vectorised batch engine, behind the same shape of call, until that engine is part of the service.
/// </summary>
internal static class ScalarBatchLoop
{
    public static BatchAnswer Evaluate(GraphEngine engine, CompiledGraph graph, GraphValues values, EvaluationMode mode,
        int[] gradNodes, GradReduce reduce, CancellationToken cancellationToken)
    {
        int size = values.Size, n = graph.Tape.NodeCount;
        bool training = mode == EvaluationMode.Training;
        var outputs = new double[size];
        var grads = new double[training ? gradNodes.Length : 0][];
        for (int k = 0; k < grads.Length; k++) grads[k] = new double[reduce == GradReduce.None ? size : 1];
        double[] leaves = new double[n];
        graph.LeafValues.CopyTo(leaves, 0);
        for (int k = 0; k < graph.InputIds.Length; k++)
            if (values.IsGiven(k) && values.Lanes(k) is null) leaves[graph.InputPositions[k]] = values.Scalar(k);

        TimeSpan forward = TimeSpan.Zero, backward = TimeSpan.Zero;
        for (int s = 0; s < size; s++)
        {
            for (int k = 0; k < graph.InputIds.Length; k++)
                if (values.Lanes(k) is { } lanes) leaves[graph.InputPositions[k]] = lanes.Span[s];
            EvaluationResult result = engine.Evaluate(graph.Tape, mode, leaves, cancellationToken);
            forward += result.ForwardTime;
            backward += result.BackwardTime;
            if (result.Error is { } error)
                return new BatchAnswer(size, outputs, grads) { Error = error, SampleIndex = s, ForwardTime = forward, BackwardTime = backward };
            outputs[s] = result.Value;
            for (int k = 0; k < grads.Length; k++)
            {
                double grad = result.GradOf(gradNodes[k]);
                if (reduce == GradReduce.None) grads[k][s] = grad;
                else grads[k][0] += grad;
            }
        }
        if (reduce == GradReduce.Mean)
            foreach (double[] grad in grads) grad[0] /= size;
        return new BatchAnswer(size, outputs, grads) { ForwardTime = forward, BackwardTime = backward };
    }
}
