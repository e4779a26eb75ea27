using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using GradApi.Engine.Graphs;

namespace GradApi.Benchmarks;

/// <summary>
/// The console's helpers for tests/load/bigdag.sh, beside BenchmarkDotNet:
/// <c>gen N FILE</c> writes <see cref="RandomGraphs.Dag"/> of N nodes as an evaluate body, and
/// <c>parse FILE [RUNS]</c> times <see cref="JsonDocument.Parse(ReadOnlyMemory{byte}, JsonDocumentOptions)"/>
/// of the file's bytes RUNS times in this one process, the first run cold (JIT, fresh memory), and
/// prints one line per run: <c>parse RUN MILLISECONDS</c>.
/// <c>engine N dag|chain [RUNS]</c> times the scalar engine on <see cref="EngineBenchmarks"/>' graphs (<see cref="Engine"/>).
/// <c>ahead N [RUNS]</c> times a parse of a random DAG's body followed by its compile, against the same parse with
/// <see cref="GradApi.Engine.Compilation.CompileAhead"/> (<see cref="Ahead"/>).
/// <c>batch FILE B [RUNS]</c> (for tests/load/torch_batch.py) evaluates the graph in the file at B samples
/// (<see cref="BatchWorkload"/>) with the batch engine, warm, RUNS times in training and in inference.
/// </summary>
public static class HarnessTools
{
    public static bool TryRun(string[] args)
    {
        switch (args)
        {
            case ["gen", string nodes, string file]:
                byte[] body = GraphJson.Serialize(RandomGraphs.Dag(int.Parse(nodes, CultureInfo.InvariantCulture)));
                File.WriteAllBytes(file, body);
                Console.WriteLine($"gen {body.Length} bytes");
                return true;
            case ["batch", string file, string size, .. string[] rest]:
                Batch(File.ReadAllBytes(file), int.Parse(size, CultureInfo.InvariantCulture),
                    rest is [string count] ? int.Parse(count, CultureInfo.InvariantCulture) : 10);
                return true;
            case ["engine", string nodes, string shape, .. string[] rest]:
                Engine(int.Parse(nodes, CultureInfo.InvariantCulture), shape, rest is [string evaluations] ? int.Parse(evaluations, CultureInfo.InvariantCulture) : 20);
                return true;
            case ["ahead", string nodes, .. string[] rest]:
                Ahead(int.Parse(nodes, CultureInfo.InvariantCulture), rest is [string aheadRuns] ? int.Parse(aheadRuns, CultureInfo.InvariantCulture) : 10);
                return true;
            case ["parse", string file, .. string[] rest]:
                Parse(File.ReadAllBytes(file), rest is [string runs] ? int.Parse(runs, CultureInfo.InvariantCulture) : 5);
                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// The body of <see cref="RandomGraphs.Dag"/> of <paramref name="nodes"/> nodes parsed (<see cref="CompileAheadBenchmarks"/>' reader)
    /// and compiled, RUNS times each way, the two ways alternating (after three warm-up rounds), in training then in inference.
    /// Prints per run <c>ahead MODE then|ahead RUN PARSE_MS COMPILE_MS TOTAL_MS RESOLVED_AHEAD PARSE_CPU_MS</c> (for the overlapped
    /// way, its compile is <see cref="GradApi.Engine.Compilation.CompileAhead.Finish"/> alone; the last figure is the parsing
    /// thread's own CPU time, which waiting for a core does not inflate), then per mode and way the medians:
    /// <c>ahead MODE then|ahead median PARSE_MS COMPILE_MS TOTAL_MS PARSE_CPU_MS</c>, and the ratio of the medians' totals.
    /// </summary>
    private static void Ahead(int nodes, int runs)
    {
        byte[] body;
        using (GraphSpec dag = RandomGraphs.Dag(nodes)) body = GraphJson.Serialize(dag);
        Console.WriteLine($"ahead body {body.Length} bytes, {nodes} nodes, {Environment.ProcessorCount} processors");
        var compiler = new GradApi.Engine.Compilation.GraphCompiler();
        foreach (var mode in new[] { GradApi.Engine.Evaluation.EvaluationMode.Training, GradApi.Engine.Evaluation.EvaluationMode.Inference })
        {
            var times = new Dictionary<string, List<(double Parse, double Compile)>> { ["then"] = [], ["ahead"] = [] };
            var parseCpu = new Dictionary<string, List<double>> { ["then"] = [], ["ahead"] = [] };
            for (int run = -3; run < runs; run++)
            {
                foreach (string way in run % 2 == 0 ? new[] { "then", "ahead" } : ["ahead", "then"])
                {
                    long start = Stopwatch.GetTimestamp();
                    double startCpu = ThreadCpuMs();
                    using var spec = new GraphSpec(body.Length / 48, body.Length / 24, body.Length / 3);
                    using var ahead = way == "ahead" ? new GradApi.Engine.Compilation.CompileAhead(spec, body.Length / 64) : null;
                    CompileAheadBenchmarks.ParseInto(body, spec, ahead);
                    long parsed = Stopwatch.GetTimestamp();
                    double parsedCpu = ThreadCpuMs();
                    var compiled = ahead is null ? compiler.Compile(spec, mode) : ahead.Finish(mode);
                    long done = Stopwatch.GetTimestamp();
                    if (!compiled.Succeeded) throw new InvalidOperationException("the graph did not compile");
                    double parseMs = Ms(start, parsed), compileMs = Ms(parsed, done), parseCpuMs = parsedCpu - startCpu;
                    if (run < 0) continue;
                    times[way].Add((parseMs, compileMs));
                    parseCpu[way].Add(parseCpuMs);
                    Console.WriteLine(FormattableString.Invariant(
                        $"ahead {mode} {way} {run} {parseMs:F1} {compileMs:F1} {parseMs + compileMs:F1} {ahead?.ResolvedAhead ?? 0} {parseCpuMs:F1}"));
                }
            }
            foreach ((string way, var list) in times)
                Console.WriteLine(FormattableString.Invariant(
                    $"ahead {mode} {way} median {Median(list.Select(t => t.Parse)):F1} {Median(list.Select(t => t.Compile)):F1} {Median(list.Select(t => t.Parse + t.Compile)):F1} {Median(parseCpu[way]):F1}"));
            Console.WriteLine(FormattableString.Invariant(
                $"ahead {mode} ratio {Median(times["ahead"].Select(t => t.Parse + t.Compile)) / Median(times["then"].Select(t => t.Parse + t.Compile)):F3}"));
        }

        static double Ms(long from, long to) => Stopwatch.GetElapsedTime(from, to).TotalMilliseconds;
        static double ThreadCpuMs() => ThreadCpu.Milliseconds();
        static double Median(IEnumerable<double> values)
        {
            double[] sorted = [.. values.Order()];
            return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
        }
    }

    /// <summary>Batches run before the timed ones of <see cref="Batch"/>.</summary>
    private const int BatchWarmUps = 10;

    /// <summary>
    /// Prints <c>batch nodes N edges E size B</c>, then per run <c>batch training|inference|scalar-training RUN
    /// MILLISECONDS NS_PER_NODE_SAMPLE ALLOCATED_BYTES CPU_MILLISECONDS</c> (the process's CPU time: on a busy
    /// machine it moves less than the wall clock), then <c>batch check SUM_OF_VALUES SUM_OF_FIRST_INPUT_GRADS</c> for
    /// the harness to compare with its own answer.
    /// </summary>
    private static void Batch(byte[] body, int size, int runs)
    {
        using GraphSpec spec = GradApi.Evaluate.GraphJsonReader.Read(body, int.MaxValue, new GradApi.Engine.Expressions.ExpressionParser());
        using var workload = new BatchWorkload(spec, size);
        // GRADAPI_BATCH_THREADS=1 runs every batch on one thread (by default a big batch runs on every core).
        using var engine = Environment.GetEnvironmentVariable("GRADAPI_BATCH_THREADS") == "1"
            ? new GradApi.Engine.Batching.BatchEngine(GradApi.Engine.Buffers.BufferPool<double>.Shared, maxWorkers: 1, parallelWork: long.MaxValue)
            : new GradApi.Engine.Batching.BatchEngine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"batch nodes {spec.NodeCount} edges {spec.InputCount} size {size}"));
        using var scalar = new GradApi.Engine.Evaluation.GraphEngine();
        foreach (string mode in new[] { "training", "inference", "scalar-training" })
        {
            // Runs up to 0 warm up: enough for the tiered JIT to have compiled the hot code fully, which a
            // single run is not (the first few batches ran twice as long, the more so on several threads).
            for (int run = -BatchWarmUps + 1; run <= runs; run++)
            {
                TimeSpan cpu = Process.GetCurrentProcess().TotalProcessorTime;
                long allocated = GC.GetAllocatedBytesForCurrentThread();
                long start = Stopwatch.GetTimestamp();
                bool succeeded = true;
                if (mode == "scalar-training")
                    for (int i = 0; i < size; i++) succeeded &= scalar.Evaluate(workload.Tape, GradApi.Engine.Evaluation.EvaluationMode.Training).Succeeded;
                else
                {
                    var result = mode == "training" ? workload.Train(engine) : workload.Infer(engine);
                    succeeded = result.Succeeded;
                    if (run > 0 && Environment.GetEnvironmentVariable("GRADAPI_BATCH_PASSES") is not null)
                        Console.WriteLine($"  forward {result.ForwardTime.TotalMilliseconds:0.0} ms backward {result.BackwardTime.TotalMilliseconds:0.0} ms");
                }
                double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
                double cpuMs = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds;
                if (!succeeded) throw new InvalidOperationException($"The graph fails in {mode}.");
                if (run <= 0) continue;
                double ns = ms * 1e6 / ((double)spec.NodeCount * size);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"batch {mode} {run} {ms:0.000} {ns:0.000} {allocated} {cpuMs:0.0}"));
            }
        }
        var check = workload.Train(engine);
        double values = 0, grads = 0;
        foreach (double v in check.Values) values += v;
        if (workload.GradNodes.Length > 0) foreach (double g in check.Grad(0)) grads += g;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"batch check {values:R} {grads:R}"));
    }

    /// <summary>
    /// <see cref="EngineBenchmarks"/>' graph (<c>dag</c> or <c>chain</c>) on the scalar engine, warm: prints per run <c>engine
    /// training|inference RUN NS_PER_NODE CPU_NS_PER_NODE</c> (wall clock, and the process's CPU time, which other processes'
    /// turns on a busy machine's cores do not inflate), the training runs' forward and backward apart, then <c>engine check
    /// HASH</c> of the bits of every value and grad and of the inference value, to compare two builds' answers.
    /// </summary>
    private static void Engine(int nodes, string shape, int runs)
    {
        using GraphSpec spec = shape == "chain" ? RandomGraphs.Chain(nodes) : RandomGraphs.Dag(nodes);
        var compiler = new GradApi.Engine.Compilation.GraphCompiler();
        var training = compiler.Compile(spec, GradApi.Engine.Evaluation.EvaluationMode.Training).Tape!;
        var inference = compiler.Compile(spec, GradApi.Engine.Evaluation.EvaluationMode.Inference).Tape!;
        using var engine = new GradApi.Engine.Evaluation.GraphEngine();
        ulong hash = 0;
        void Mix(double number) => hash = hash * 31 + (ulong)BitConverter.DoubleToInt64Bits(number);
        foreach (var (mode, tape) in new[] { (GradApi.Engine.Evaluation.EvaluationMode.Training, training), (GradApi.Engine.Evaluation.EvaluationMode.Inference, inference) })
        {
            string name = mode == GradApi.Engine.Evaluation.EvaluationMode.Training ? "training" : "inference";
            for (int run = -2; run <= runs; run++) // runs up to 0 warm up
            {
                TimeSpan cpu = Process.GetCurrentProcess().TotalProcessorTime;
                long start = Stopwatch.GetTimestamp();
                var result = engine.Evaluate(tape, mode);
                double ns = Stopwatch.GetElapsedTime(start).TotalNanoseconds / nodes;
                double cpuNs = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalNanoseconds / nodes;
                if (!result.Succeeded) throw new InvalidOperationException($"The graph fails in {name}.");
                if (run == 0 && result.HasGrads)
                    for (int i = 0; i < nodes; i++) { Mix(result.ValueOf(i)); Mix(result.GradOf(i)); }
                if (run == 0) Mix(result.Value);
                if (run <= 0) continue;
                string passes = result.HasGrads
                    ? $" forward {result.ForwardTime.TotalNanoseconds / nodes:0.0} backward {result.BackwardTime.TotalNanoseconds / nodes:0.0}"
                    : "";
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"engine {name} {run} {ns:0.0} {cpuNs:0.0}{passes}"));
            }
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"engine check {hash:X16}"));
    }

    /// <summary>The floor: what the bare parse endpoint of tests/GradApi.LoadBaseline does, without HTTP.</summary>
    private static void Parse(byte[] body, int runs)
    {
        for (int run = 1; run <= runs; run++)
        {
            long start = Stopwatch.GetTimestamp();
            using (JsonDocument document = JsonDocument.Parse(body))
            {
                if (document.RootElement.GetProperty("nodes").GetArrayLength() == 0) throw new InvalidDataException("no nodes");
            }
            double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"parse {run} {ms:0.0}"));
        }
    }
}

/// <summary>The calling thread's CPU time (Linux's <c>CLOCK_THREAD_CPUTIME_ID</c>; NaN elsewhere).</summary>
internal static class ThreadCpu
{
    private const int ClockThreadCpuTime = 3;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);

    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    public static double Milliseconds() =>
        OperatingSystem.IsLinux() && ClockGetTime(ClockThreadCpuTime, out TimeSpec time) == 0
            ? time.Seconds * 1e3 + time.Nanoseconds / 1e6
            : double.NaN;
}
