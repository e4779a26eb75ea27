using System.Text;
using GradApi.Engine.Compilation;
using GradApi.Engine.Evaluation;
using GradApi.Engine.Expressions;
using GradApi.Evaluate;
using GradApi.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace GradApi.Tests.Evaluate;

/// <summary>
/// A large answer leaves in pieces of about 64 KiB, each flushed to the client as it is written,
/// never held whole in the response pipe (which would also hold back the headers to the end).
/// </summary>
public sealed class AnswerStreamingTests
{
    [Fact]
    public async Task LargeAnswer_IsFlushedEvery64KiB()
    {
        var spec = GraphJsonReader.Read(Encoding.UTF8.GetBytes(Graphs.SinChain(20_000, 0.1)), int.MaxValue, new ExpressionParser());
        Tape tape = new GraphCompiler().Compile(spec).Tape!;
        using var engine = new GraphEngine();
        var body = new FlushRecorder();
        var context = new DefaultHttpContext();
        context.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(body));

        await new EvaluationJsonResult(engine.Evaluate(tape, EvaluationMode.Training)).ExecuteAsync(context);

        Assert.True(body.Total > 1_000_000, $"the answer has {body.Total} bytes");
        Assert.True(body.Flushes.Count > 10, $"{body.Flushes.Count} flushes");
        Assert.All(body.Flushes, bytes => Assert.InRange(bytes, 0, 80 * 1024));
    }

    /// <summary>A body that counts the bytes written between two flushes.</summary>
    private sealed class FlushRecorder : MemoryStream
    {
        private long _flushedLength;

        public List<long> Flushes { get; } = [];

        public long Total => Length;

        public override Task FlushAsync(CancellationToken cancellationToken)
        {
            Flushes.Add(Length - _flushedLength);
            _flushedLength = Length;
            return Task.CompletedTask;
        }
    }
}
