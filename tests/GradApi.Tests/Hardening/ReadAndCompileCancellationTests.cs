using System.Text;
using GradApi.Engine.Compilation;
using GradApi.Engine.Expressions;
using GradApi.Engine.Graphs;
using GradApi.Evaluate;

namespace GradApi.Tests.Hardening;

/// <summary>
/// Reading a body and compiling it look at the request's cancellation token as the engine does, so a
/// million-node request whose client went away stops in the reader or the compiler instead of running on. A body
/// read as it arrives is parsed a piece at a time between reads of the body, which see the abort.
/// </summary>
[Collection(HardeningCollection.Name)]
public sealed class ReadAndCompileCancellationTests
{
    /// <summary>
    /// Listed backwards: a body in order has most of its compile done beside the parse (CompileAhead, which stops on the
    /// request's abort), and what is left after the parse may end before the server learns that the client left; this
    /// one's compile runs after the parse, where the client's leaving finds it.
    /// </summary>
    private static readonly byte[] MillionNodes = Bodies.SinChainListedBackwards(999_999);

    [Fact]
    public void Reader_WithACancelledToken_Stops()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        byte[] body = Bodies.SinChain(10_000);

        Assert.ThrowsAny<OperationCanceledException>(() => GraphJsonReader.Read(body, int.MaxValue, new ExpressionParser(), cancelled.Token));
        using GraphSpec spec = GraphJsonReader.Read(body, int.MaxValue, new ExpressionParser(), CancellationToken.None);
        Assert.Equal(10_001, spec.NodeCount);
    }

    [Fact]
    public void Compiler_WithACancelledToken_Stops()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        using GraphSpec spec = GraphJsonReader.Read(Bodies.SinChain(10_000), int.MaxValue, new ExpressionParser());

        Assert.ThrowsAny<OperationCanceledException>(() => new GraphCompiler().Compile(spec, cancellationToken: cancelled.Token));
        Assert.True(new GraphCompiler().Compile(spec).Succeeded);
    }

    [Fact]
    public async Task MillionNodeParse_WhoseClientLeavesOnceItIsSent_StopsInTheReaderOrTheCompiler()
    {
        using var server = HardeningFactory.Live();
        // The client leaves at some moment after its last byte: soon, the server may still be receiving the body;
        // late, it may have answered. In between, the work is in the reader or the compiler, and must stop there.
        var seen = new List<string>();
        foreach (int wait in new[] { 100, 250, 500, 800, 1200, 1800 })
        {
            int before = server.Log.Entries.Count(Stopped);
            await using (RawHttp raw = await RawHttp.Connect(server.Address))
            {
                await raw.SendHead("/v1/parse", MillionNodes.Length);
                await raw.Send(MillionNodes);
                await Task.Delay(wait);
            }
            string stoppedIn = await StoppedIn(server, before);
            seen.Add($"{wait} ms: {stoppedIn}");
            if (ReadersAndCompilers.Any(type => stoppedIn.StartsWith(type + ".", StringComparison.Ordinal))) return;
        }
        Assert.Fail("The request never stopped in the reader or the compiler: " + string.Join("; ", seen));
    }

    /// <summary>Where reading a body and compiling it happen: the body's reads, its parser, the compiler and its paths.</summary>
    private static readonly string[] ReadersAndCompilers =
        ["JsonBody", "GraphJsonReader", "GraphCompiler", "OrderedBody", "OrderedPrefix", "CompileAhead"];

    private static bool Stopped(LogSink.Entry entry) => entry.Message.StartsWith("Stopped POST /v1/parse", StringComparison.Ordinal);

    /// <summary>Where the next stopped request stopped, or what became of it when none stopped within a few seconds.</summary>
    private static async Task<string> StoppedIn(HardeningFactory server, int before)
    {
        for (int i = 0; i < 100; i++)
        {
            if (server.Log.Entries.Where(Stopped).Skip(before).FirstOrDefault() is { } entry) return (string)entry.State["StoppedIn"]!;
            await Task.Delay(50);
        }
        return "(not stopped: it ran to its end)";
    }
}
