using GradApi.Engine.Batching;
using GradApi.Engine.Compilation;
using GradApi.Engine.Evaluation;
using GradApi.Engine.Graphs;

namespace GradApi.Benchmarks;

/// <summary>
/// A graph and B samples of its inputs, as the batch benchmarks and tests/load/torch_batch.py use them:
/// input leaf j (in request order) in sample i holds its value plus
/// <c>((i * 7919 + j * 104729) % 2001 - 1000) / 1e4</c>, within 0.1 of it, a formula the Python
/// harness computes to the same bits. Grads are asked for every input leaf.
/// </summary>
public sealed class BatchWorkload : IDisposable
{
    public BatchWorkload(GraphSpec spec, int size)
    {
        Spec = spec;
        Tape = new GraphCompiler().Compile(spec, EvaluationMode.Inference).Tape
            ?? throw new InvalidOperationException("The graph does not compile.");
        Inputs = new BatchInputs(size);
        var inputNodes = new List<int>();
        for (int node = 0; node < spec.NodeCount; node++)
        {
            if (spec.Op(node) != "input") continue;
            int j = inputNodes.Count;
            var lanes = new double[size];
            for (int i = 0; i < size; i++) lanes[i] = spec.Value(node) + (((long)i * 7919 + (long)j * 104729) % 2001 - 1000) / 1e4;
            Inputs.Set(node, lanes);
            inputNodes.Add(node);
        }
        GradNodes = [.. inputNodes];
    }

    public GraphSpec Spec { get; }

    /// <summary>Compiled for inference, which runs in training too.</summary>
    public Tape Tape { get; }

    public BatchInputs Inputs { get; }

    public int[] GradNodes { get; }

    public int Size => Inputs.Size;

    public BatchResult Train(BatchEngine engine, BatchReduce reduce = BatchReduce.None) =>
        engine.Evaluate(Tape, Inputs, EvaluationMode.Training, GradNodes, reduce);

    public BatchResult Infer(BatchEngine engine) =>
        engine.Evaluate(Tape, Inputs, EvaluationMode.Inference, [], BatchReduce.None);

    /// <summary>The seed's sigmoid neuron from elementary gates (shared/examples/cs231n-sigmoid-gates.json): 15 nodes.</summary>
    public static GraphSpec Neuron()
    {
        var spec = new GraphSpec();
        spec.AddNode("w0", "input", 2, null);
        spec.AddNode("x0", "input", -1, null);
        spec.AddNode("w1", "input", -3, null);
        spec.AddNode("x1", "input", -2, null);
        spec.AddNode("w2", "input", -3, null);
        spec.AddNode("a", "mul", null, ["w0", "x0"]);
        spec.AddNode("b", "mul", null, ["w1", "x1"]);
        spec.AddNode("c", "add", null, ["a", "b"]);
        spec.AddNode("d", "add", null, ["c", "w2"]);
        spec.AddNode("m1", "const", -1, null);
        spec.AddNode("e", "mul", null, ["d", "m1"]);
        spec.AddNode("g", "exp", null, ["e"]);
        spec.AddNode("one", "const", 1, null);
        spec.AddNode("h", "add", null, ["g", "one"]);
        spec.AddNode("f", "inv", null, ["h"]);
        return spec;
    }

    public void Dispose() => Tape.Dispose();
}
