using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Text.Json;
using GradApi.Engine.Compilation;
using GradApi.Engine.Evaluation;
using GradApi.Engine.Expressions;
using GradApi.Engine.Graphs;
using GradApi.Evaluate;
using Microsoft.Extensions.Options;

namespace GradApi.Hosting;

/// <summary>
/// Once the service has started, runs a generated graph of <see cref="GradApiOptions.WarmupNodes"/> nodes a few times
/// through the path a large request takes (the body read in pieces, the compile, forward and backward, inference, the
/// answer written), in the background. The methods that path calls once per node or per number start unoptimized, and
/// are optimized only once they have run a while: without this, a fresh process's first large request pays for that.
/// </summary>
/// <remarks>
/// Six rounds, 150 ms apart: the runtime's tiered compiler optimizes a method after some tens of calls, in the
/// background and only once no new methods have been compiled for 100 ms. It costs a fraction of a second of one core
/// after startup and holds nothing after it (its buffers go back to the pools). A failure is logged and ends it, and
/// never the service.
/// </remarks>
internal sealed partial class Warmup(IOptions<GradApiOptions> options, IServiceProvider services, IHostApplicationLifetime lifetime,
    ILogger<Warmup> logger) : BackgroundService
{
    private const int Rounds = 6;
    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(150);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        int nodes = options.Value.WarmupNodes;
        if (nodes == 0) return;
        try
        {
            // After the server has started, so that the warm-up never holds back its start.
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
                await started.Task.WaitAsync(stoppingToken);

            byte[] body = GraphBody(nodes);
            long start = Stopwatch.GetTimestamp();
            for (int round = 0; round < Rounds; round++)
            {
                await RunAsync(body, EvaluationMode.Training, stoppingToken);
                await RunAsync(body, EvaluationMode.Inference, stoppingToken);
                await Task.Delay(Pause, stoppingToken);
            }
            WarmedUp(logger, nodes, Rounds, (long)Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The service is stopping.
        }
        catch (Exception e)
        {
            WarmupFailed(logger, e);
        }
    }

    /// <summary>One request's work on <paramref name="body"/>, as <see cref="GraphRequest"/> and the evaluate endpoint do it.</summary>
    private async Task RunAsync(byte[] body, EvaluationMode mode, CancellationToken cancellationToken)
    {
        // Resolved here, not in the constructor: a service that cannot be made fails the warm-up, not the startup.
        var expressions = services.GetRequiredService<ExpressionParser>();
        var compiler = services.GetRequiredService<GraphCompiler>();
        using var reader = new GraphJsonReader(int.MaxValue, expressions, inputValuesOptional: false, body.Length, CancellationToken.None,
            compileCancellationToken: cancellationToken) { CompileAhead = options.Value.CompileAhead };
        BodyWindow.HandInPieces(body, reader);
        using GraphSpec spec = reader.Finish();
        CompileResult compiled = reader.TakeCompile() is { } ahead
            ? ahead.Finish(mode, cancellationToken)
            : compiler.Compile(spec, mode, cancellationToken);
        if (!compiled.Succeeded) throw new InvalidOperationException($"The warm-up graph did not compile: {compiled.Errors[0].Message}");

        using IServiceScope scope = services.CreateScope();
        EvaluationResult evaluation = scope.ServiceProvider.GetRequiredService<GraphEngine>().Evaluate(compiled.Tape, mode, cancellationToken);
        if (mode == EvaluationMode.Training && evaluation.Error is null)
            await new EvaluationJsonResult(evaluation).WriteAsync(PipeWriter.Create(Stream.Null), cancellationToken);
    }

    /// <summary>
    /// A body of <paramref name="nodes"/> nodes in order: inputs, then gates of the common ops, each reading the node before
    /// it and (two inputs) one further back, so that the id table is read all over; every value stays between -3 and 3.
    /// </summary>
    internal static byte[] GraphBody(int nodes)
    {
        string[] gates = ["add", "tanh", "mul", "sin", "sigmoid"];
        int leaves = Math.Min(64, nodes);
        var buffer = new ArrayBufferWriter<byte>(nodes * 64);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartArray("nodes"u8);
            for (int i = 0; i < nodes; i++)
            {
                json.WriteStartObject();
                json.WriteString("id"u8, $"w{i}");
                if (i < leaves)
                {
                    json.WriteString("op"u8, "input"u8);
                    json.WriteNumber("value"u8, (i % 7 - 3) * 0.25);
                }
                else
                {
                    string op = gates[i % gates.Length];
                    json.WriteString("op"u8, op);
                    json.WriteStartArray("inputs"u8);
                    json.WriteStringValue($"w{i - 1}");
                    if (op is "add" or "mul") json.WriteStringValue($"w{(int)(i * 7919L % i)}");
                    json.WriteEndArray();
                }
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteString("output"u8, $"w{nodes - 1}");
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Warmed up: a graph of {Nodes} nodes, {Rounds} rounds, in {ElapsedMs} ms")]
    private static partial void WarmedUp(ILogger logger, int nodes, int rounds, long elapsedMs);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "The warm-up stopped")]
    private static partial void WarmupFailed(ILogger logger, Exception exception);
}
