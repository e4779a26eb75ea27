using System.Text;
using System.Text.Json.Nodes;
using GradApi.Observability.Logs;
using GradApi.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace GradApi.Tests.Observability;

/// <summary>
/// Console logs written in batches (<see cref="LogLineWriter"/>, <see cref="BatchedConsoleLoggerProvider"/>): every line
/// whole and once, each thread's in its order, fewer writes than lines, errors at once, nothing lost at the end.
/// </summary>
public sealed class LogLineWriterTests
{
    private static readonly TimeSpan Never = TimeSpan.FromHours(1);

    [Fact]
    public void LinesFromManyThreads_AreWrittenWholeAndOnce_InEachThreadsOrder_InFewerWrites()
    {
        var output = new RecordingStream();
        const int threads = 4, lines = 2000;
        using (var writer = new LogLineWriter(output, TimeSpan.FromMilliseconds(10)))
        {
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
            {
                var line = new StringBuilder();
                for (int i = 0; i < lines; i++)
                {
                    line.Clear().Append($"thread {t} line {i} ").Append('x', i % 50).Append('\n');
                    writer.Append(line, urgent: false);
                }
            });
        }

        string[] written = output.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(threads * lines, written.Length);
        for (int t = 0; t < threads; t++)
        {
            int[] order = written.Where(l => l.StartsWith($"thread {t} ", StringComparison.Ordinal))
                .Select(l => int.Parse(l.Split(' ')[3])).ToArray();
            Assert.Equal(Enumerable.Range(0, lines), order);
        }
        Assert.All(written, l => Assert.Equal(int.Parse(l.Split(' ')[3]) % 50, l.Length - l.TrimEnd('x').Length));
        Assert.True(output.Writes < threads * lines / 4, $"{output.Writes} writes for {threads * lines} lines");
    }

    [Fact]
    public async Task ALine_WaitsForItsBatch_AndAnUrgentOne_IsWrittenAtOnceWithWhatCameBefore()
    {
        var output = new RecordingStream();
        using var writer = new LogLineWriter(output, Never);

        writer.Append(new StringBuilder("first\n"), urgent: false);
        await Task.Delay(200);
        Assert.Equal("", output.Text);

        writer.Append(new StringBuilder("an error\n"), urgent: true);
        await output.WaitFor(text => text == "first\nan error\n");
        Assert.Equal(1, output.Writes);
    }

    [Fact]
    public void Dispose_WritesWhatIsBuffered_AndLaterLinesAreWrittenByTheirCaller()
    {
        var output = new RecordingStream();
        var writer = new LogLineWriter(output, Never);
        writer.Append(new StringBuilder("one\n"), urgent: false);
        writer.Append(new StringBuilder("two\n"), urgent: false);

        writer.Dispose();
        Assert.Equal("one\ntwo\n", output.Text);

        writer.Append(new StringBuilder("three\n"), urgent: false);
        Assert.Equal("one\ntwo\nthree\n", output.Text);
    }

    [Fact]
    public async Task AFullBuffer_DropsTheLine_WhenTheSettingsSaySo_AndWaitsOtherwise()
    {
        var output = new RecordingStream();
        output.Block();
        using var writer = new LogLineWriter(output, Never);
        writer.Append(new StringBuilder("held\n"), urgent: true);
        await output.WaitForBlockedWrite();

        var big = new StringBuilder().Append('x', LogLineWriter.MaxPendingChars).Append('\n');
        Assert.True(writer.Append(big, urgent: false));
        Assert.False(writer.Append(new StringBuilder("dropped\n"), urgent: false, dropWhenFull: true));

        Task<bool> waiting = Task.Run(() => writer.Append(new StringBuilder("waited\n"), urgent: false));
        await Task.Delay(200);
        Assert.False(waiting.IsCompleted);

        output.Release();
        Assert.True(await waiting.WaitAsync(TimeSpan.FromSeconds(30)));
        writer.Dispose();
        // The next line that gets in says how many were dropped.
        Assert.Equal($"held\n{big}Log lines dropped: 1 (Logging:Console:QueueFullMode=DropWrite, the output was too slow)\nwaited\n", output.Text);
    }

    [Fact]
    public async Task ACallerWaitingForRoom_WhenTheWriterStops_WritesItsLineItself()
    {
        var output = new RecordingStream();
        output.Block();
        var writer = new LogLineWriter(output, Never);
        writer.Append(new StringBuilder("held\n"), urgent: true);
        await output.WaitForBlockedWrite();
        var big = new StringBuilder().Append('x', LogLineWriter.MaxPendingChars).Append('\n');
        writer.Append(big, urgent: false);
        Task waiting = Task.Run(() => writer.Append(new StringBuilder("last\n"), urgent: false));
        await Task.Delay(100);

        Task disposing = Task.Run(writer.Dispose);
        output.Release();
        await Task.WhenAll(waiting, disposing).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal($"held\n{big}last\n", output.Text);
    }

    [Fact]
    public async Task AnOutputThatThrowsAnythingElse_LosesThatBatchOnly()
    {
        var output = new RecordingStream { FailNextWith = new UnauthorizedAccessException("EACCES") };
        using var writer = new LogLineWriter(output, Never);

        writer.Append(new StringBuilder("lost\n"), urgent: true);
        await output.WaitFor(_ => output.FailNextWith is null);
        writer.Append(new StringBuilder("kept\n"), urgent: true);
        await output.WaitFor(text => text == "kept\n");
    }

    [Fact]
    public async Task AFailingOutput_LosesThatBatchOnly()
    {
        var output = new RecordingStream { FailNext = true };
        using var writer = new LogLineWriter(output, Never);

        writer.Append(new StringBuilder("lost\n"), urgent: true);
        await output.WaitFor(_ => !output.FailNext);
        writer.Append(new StringBuilder("kept\n"), urgent: true);
        await output.WaitFor(text => text == "kept\n");
    }

    [Theory]
    [InlineData("json")]
    [InlineData("simple")]
    public void TheProvider_FormatsWithTheConfiguredFormatter_WithScopes(string formatterName)
    {
        var output = new RecordingStream();
        using ServiceProvider services = new ServiceCollection()
            .AddLogging(logging =>
            {
                if (formatterName == "json") logging.AddJsonConsole(o => o.IncludeScopes = true);
                else logging.AddSimpleConsole(o => o.IncludeScopes = true);
            })
            .BuildServiceProvider();
        var provider = new BatchedConsoleLoggerProvider(services.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>(),
            services.GetServices<ConsoleFormatter>(), new LogLineWriter(output, Never));
        using (var factory = LoggerFactory.Create(logging => logging.AddProvider(provider)))
        {
            ILogger logger = factory.CreateLogger("GradApi.Test");
            using (logger.BeginScope("request {Request}", "r-17"))
                logger.LogInformation("answered {Status}", 200);
        }
        Assert.Equal("", output.Text);
        provider.Dispose();

        string text = output.Text;
        if (formatterName == "json")
        {
            JsonObject line = JsonNode.Parse(text.TrimEnd('\n'))!.AsObject();
            Assert.Equal("GradApi.Test", (string?)line["Category"]);
            Assert.Equal("answered 200", (string?)line["Message"]);
            Assert.Equal(200, (int)line["State"]!["Status"]!);
            Assert.Contains(line["Scopes"]!.AsArray(), scope => (string?)scope!["Request"] == "r-17");
        }
        else
        {
            Assert.Contains("info: GradApi.Test[0]", text);
            Assert.Contains("=> request r-17", text);
            Assert.Contains("answered 200", text);
            Assert.DoesNotContain("\"Message\"", text);
        }
    }

    [Fact]
    public void TheService_LogsThroughTheBatchedProvider_InPlaceOfTheFrameworksConsoleLogger()
    {
        using var factory = new GradApiFactory();
        ILoggerProvider[] providers = factory.Services.GetServices<ILoggerProvider>().ToArray();
        Assert.Contains(providers, p => p is BatchedConsoleLoggerProvider);
        Assert.DoesNotContain(providers, p => p is ConsoleLoggerProvider);
    }

    /// <summary>Keeps what is written; can fail the next write, or hold writes until released.</summary>
    private sealed class RecordingStream : Stream
    {
        private readonly MemoryStream _bytes = new();
        private readonly ManualResetEventSlim _open = new(true);
        private volatile bool _blocked;
        private volatile bool _inBlockedWrite;
        private int _writes;

        public bool FailNext { get; set; }

        public Exception? FailNextWith { get; set; }

        public int Writes => Volatile.Read(ref _writes);

        public string Text
        {
            get { lock (_bytes) return Encoding.UTF8.GetString(_bytes.ToArray()); }
        }

        public void Block()
        {
            _blocked = true;
            _open.Reset();
        }

        public void Release()
        {
            _blocked = false;
            _open.Set();
        }

        public Task WaitForBlockedWrite() => WaitFor(_ => _inBlockedWrite);

        public async Task WaitFor(Func<string, bool> done)
        {
            DateTime deadline = DateTime.UtcNow.AddSeconds(30);
            while (!done(Text))
            {
                if (DateTime.UtcNow > deadline) throw new TimeoutException($"Written so far: \"{Text}\"");
                await Task.Delay(10);
            }
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            if (FailNext)
            {
                FailNext = false;
                throw new IOException("Broken pipe");
            }
            if (FailNextWith is { } failure)
            {
                FailNextWith = null;
                throw failure;
            }
            if (_blocked) _inBlockedWrite = true;
            _open.Wait();
            lock (_bytes) _bytes.Write(buffer, offset, count);
            Interlocked.Increment(ref _writes);
        }

        public override void Flush() { }
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
