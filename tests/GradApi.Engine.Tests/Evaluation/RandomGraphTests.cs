using CsCheck;
using GradApi.Engine.Compilation;
using GradApi.Engine.Evaluation;
using GradApi.Engine.Graphs;
using GradApi.Engine.Tests.Support;
using Xunit.Abstractions;

namespace GradApi.Engine.Tests.Evaluation;

/// <summary>
/// Properties over random DAGs of 2 to 60 nodes (see <see cref="RandomGraphs"/>), checked
/// against <see cref="ReferenceEvaluator"/>, which shares no code with the engine.
/// </summary>
public sealed class RandomGraphTests(ITestOutputHelper log)
{
    private const double H = 1e-6;

    /// <summary>Graphs with a relu/abs input or a max/min gap this close to a kink are not differentiated.</summary>
    private const double KinkMargin = 1e-3;

    private static readonly Gen<(int Size, int Seed)> Graphs = Gen.Select(Gen.Int[2, 60], Gen.Int);

    [Fact]
    public void Backward_RandomGraphs_EveryGradMatchesCentralDifferences()
    {
        int checkedGraphs = 0, skippedGraphs = 0, checkedGrads = 0, nonZeroGrads = 0, skippedGrads = 0;
        Graphs.Sample((size, seed) =>
        {
            GraphSpec spec = RandomGraphs.Generate(size, seed);
            var reference = new ReferenceEvaluator(spec);
            string output = spec.Output!;
            var (value, margin) = reference.Evaluate(output);
            if (margin < KinkMargin)
            {
                Interlocked.Increment(ref skippedGraphs);
                return;
            }
            Interlocked.Increment(ref checkedGraphs);

            var run = Run.Of(spec, EvaluationMode.Training);
            Assert.Null(run.Error);
            Close.Equal(value, run.Value, 1e-12, 1e-12, "value of the output");

            // d output / d node for EVERY node, leaves and gates alike: nudge the node's value (its
            // inputs unchanged), recompute what reads it, and difference the output.
            for (int i = 0; i < spec.NodeCount; i++)
            {
                string id = spec.Id(i);
                Close.Equal(reference.Evaluate(id).Value, run.ValueOf(id), 1e-12, 1e-12, $"value of {id}");
                var up = reference.Evaluate(output, i, H);
                var down = reference.Evaluate(output, i, -H);
                if (Math.Min(up.KinkMargin, down.KinkMargin) < KinkMargin / 2)
                {
                    Interlocked.Increment(ref skippedGrads); // the nudge crossed a kink
                    continue;
                }
                double numeric = spec.Seed * (up.Value - down.Value) / (2 * H);
                Close.Equal(numeric, run.Grad(id), 1e-5, 1e-6, $"grad of {id}");
                Interlocked.Increment(ref checkedGrads);
                if (run.Grad(id) != 0) Interlocked.Increment(ref nonZeroGrads);
            }
        }, iter: 400, threads: 1, print: t => $"size {t.Item1}, seed {t.Item2}");

        log.WriteLine($"{checkedGraphs} graphs checked, {skippedGraphs} skipped near kinks; " +
            $"{checkedGrads} grads checked ({nonZeroGrads} non-zero), {skippedGrads} skipped");
        // The kink filter must not quietly turn the property into nothing. The sample is drawn afresh
        // each run and 12-20% of it sits near a kink (48 to 81 of 400 seen), so a floor of 4 checked
        // per skipped (80 of 400) failed now and then; 2 per skipped (133) is still a firm floor.
        Assert.True(checkedGraphs >= 2 * skippedGraphs, $"{checkedGraphs} graphs checked, {skippedGraphs} skipped near kinks.");
        Assert.True(nonZeroGrads >= 10 * skippedGrads, $"{nonZeroGrads} non-zero grads checked, {skippedGrads} skipped near kinks.");
    }

    [Fact]
    public void Inference_RandomGraphs_GivesExactlyTheTrainingValue()
    {
        Graphs.Sample((size, seed) =>
        {
            GraphSpec spec = RandomGraphs.Generate(size, seed);
            CompileResult training = new GraphCompiler().Compile(spec, EvaluationMode.Training);
            CompileResult inference = new GraphCompiler().Compile(spec, EvaluationMode.Inference);
            Assert.True(training.Succeeded && inference.Succeeded);
            using var engine = new GraphEngine();

            double trained = engine.Evaluate(training.Tape, EvaluationMode.Training).Value;
            var inferred = engine.Evaluate(inference.Tape, EvaluationMode.Inference);

            Assert.Null(inferred.Error);
            Assert.Equal(trained, inferred.Value);
            Close.Equal(new ReferenceEvaluator(spec).Evaluate(spec.Output!).Value, inferred.Value, 1e-12, 1e-12);
            Assert.Equal(0, inferred.Stats.CachedPartials);
            Assert.InRange(inferred.Stats.PeakLiveValues, 1, size);
        }, iter: 400, threads: 1, print: t => $"size {t.Item1}, seed {t.Item2}");
    }

    [Fact]
    public void Inference_RandomGraphsWithEveryNodeAsOutput_GivesTheReferenceValue()
    {
        // Each node in turn as the output, so the slot that must never be handed on is each one.
        Graphs.Sample((size, seed) =>
        {
            GraphSpec spec = RandomGraphs.Generate(size, seed);
            var reference = new ReferenceEvaluator(spec);
            using var engine = new GraphEngine();
            for (int i = 0; i < spec.NodeCount; i++)
            {
                spec.Output = spec.Id(i);
                Tape tape = Run.CompileOrFail(spec, EvaluationMode.Inference);
                var inferred = engine.Evaluate(tape, EvaluationMode.Inference);
                Close.Equal(reference.Evaluate(spec.Id(i)).Value, inferred.Value, 1e-12, 1e-12, $"output {spec.Id(i)}");
            }
        }, iter: 100, threads: 1, print: t => $"size {t.Item1}, seed {t.Item2}");
    }
}
