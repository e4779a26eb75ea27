using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using GradApi.Tests.Hardening.Fuzz;
using GradApi.Tests.Infrastructure;
using Xunit.Abstractions;

namespace GradApi.Tests.Hardening;

/// <summary>
/// A seeded fuzz test of the HTTP surface, through the in-memory server: <see cref="Requests"/>
/// generated requests to evaluate (both modes, explain, check), parse and render. A third are
/// random valid graphs over every op of GET /v1/ops, refereed number by number (see
/// <see cref="GraphAnswers"/>); a third are those graphs broken in their JSON, meaning or bytes
/// (<see cref="GraphMutations"/>); a quarter are expressions, valid and broken; the rest are sent
/// the wrong way (<see cref="RequestFaults"/>). Every answer keeps the contract
/// (<see cref="FuzzResponse.CheckContract"/>): never a 5xx, every error a problem that says where,
/// nothing of the server's internals.
/// <para>
/// Each case has its own generator, seeded from the run's seed and its number, so a run sends the
/// same requests every time, in whatever order they go. Environment variables widen the hunt beyond
/// what a test run can afford: <c>GRADAPI_FUZZ_REQUESTS</c> (how many), <c>GRADAPI_FUZZ_SEED</c>
/// (other requests); <c>GRADAPI_FUZZ_CASE</c> runs one failing case alone and logs its request.
/// </para>
/// </summary>
[Collection(HardeningCollection.Name)]
public sealed class FuzzTests(ITestOutputHelper log)
{
    /// <summary>
    /// How many requests one run sends: about 12 s of CPU (a third of it warming up), 12 to 16 s
    /// on a 2-core machine with a load average of 10.
    /// </summary>
    public const int Requests = 20_000;

    private const int DefaultSeed = 20_261_127;

    /// <summary>Failures listed in full; a run stops collecting after this many.</summary>
    private const int FailuresShown = 10;

    private static readonly int Seed = Setting("GRADAPI_FUZZ_SEED") ?? DefaultSeed;

    [Fact]
    public async Task Fuzz_GeneratedAndMutatedBodies_NeverA5xx_EveryErrorAProblemThatSaysWhere()
    {
        using var factory = GradApiFactory.With(FuzzLimits.Settings);
        using HttpClient client = factory.CreateClient();
        IReadOnlyList<FuzzOp> ops = await Ops(client);
        int? single = Setting("GRADAPI_FUZZ_CASE");
        IEnumerable<int> cases = single is { } one ? [one] : Enumerable.Range(0, Setting("GRADAPI_FUZZ_REQUESTS") ?? Requests);
        GraphAnswers.Refereed = FuzzCases.ExpressionsRefereed = 0;
        var failures = new ConcurrentQueue<string>();
        var statuses = new ConcurrentDictionary<(string Kind, int Status), int>();
        var clock = Stopwatch.StartNew();
        TimeSpan cpu = Process.GetCurrentProcess().TotalProcessorTime;

        await Parallel.ForEachAsync(cases, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (index, _) =>
        {
            if (failures.Count >= FailuresShown) return;
            FuzzCase fuzz = FuzzCases.Generate(new Random(Seed + 7_919 * index), ops);
            if (single is not null) log.WriteLine($"case {index}: {Describe(fuzz)}");
            var (status, failure) = await Run(client, fuzz);
            if (failure is not null) failures.Enqueue($"case {index} of seed {Seed}: {failure}");
            statuses.AddOrUpdate((fuzz.Kind, status), 1, (_, n) => n + 1);
        });

        using var health = await client.GetAsync("/healthz");
        cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        log.WriteLine($"Seed {Seed}: {statuses.Values.Sum()} requests in {clock.Elapsed.TotalSeconds:F1} s ({cpu.TotalSeconds:F1} s of CPU); "
            + $"grads refereed in {GraphAnswers.Refereed} graphs, {FuzzCases.ExpressionsRefereed} expressions; answers by kind and status:");
        foreach (var ((kind, status), count) in statuses.OrderBy(p => p.Key.Kind).ThenBy(p => p.Key.Status))
            log.WriteLine($"  {kind}: {status} x {count}");
        Assert.True(failures.IsEmpty, string.Join("\n\n", failures.Take(FailuresShown)));
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        if (single is not null) return;
        // The generator must reach every kind of answer, and the referee must see enough smooth graphs
        // and expressions, or the property has quietly shrunk.
        foreach (int status in (int[])[200, 400, 405, 413, 415, 422])
            Assert.Contains(statuses, p => p.Key.Status == status);
        Assert.True(GraphAnswers.Refereed > Requests / 10, $"Only {GraphAnswers.Refereed} graphs had their grads refereed.");
        Assert.True(FuzzCases.ExpressionsRefereed > Requests / 40, $"Only {FuzzCases.ExpressionsRefereed} expressions had their grads refereed.");
    }

    /// <summary>Sends the case and checks its answer: the status, and what failed (null if nothing).</summary>
    private static async Task<(int Status, string? Failure)> Run(HttpClient client, FuzzCase fuzz)
    {
        using var request = new HttpRequestMessage(fuzz.Method, fuzz.Url);
        if (fuzz.Method != HttpMethod.Get)
        {
            request.Content = new ByteArrayContent(fuzz.Body);
            if (fuzz.ContentType is not null) request.Content.Headers.TryAddWithoutValidation("Content-Type", fuzz.ContentType);
        }
        using HttpResponseMessage answer = await client.SendAsync(request);
        FuzzResponse response = await FuzzResponse.Read(answer);
        try
        {
            response.CheckContract();
            fuzz.Check(response);
            return (response.Status, null);
        }
        catch (Exception e) when (e is Xunit.Sdk.XunitException or InvalidOperationException or NullReferenceException
            or KeyNotFoundException or FormatException or IndexOutOfRangeException)
        {
            return (response.Status, $"{Describe(fuzz)}\n  got {response.Status} {FuzzResponse.Shorten(response.Body)}\n"
                + $"  {(e is Xunit.Sdk.XunitException ? e.Message : e.ToString())}");
        }
    }

    private static string Describe(FuzzCase fuzz) =>
        $"{fuzz.Kind}: {fuzz.Method} {fuzz.Url} ({fuzz.ContentType ?? "no content type"})\n  sent {FuzzResponse.Shorten(Encoding.UTF8.GetString(fuzz.Body))}";

    private static async Task<IReadOnlyList<FuzzOp>> Ops(HttpClient client)
    {
        string json = await client.GetStringAsync("/v1/ops");
        return JsonNode.Parse(json)!.AsArray()
            .Select(op => FuzzOp.From((string)op!["name"]!, (string)op["arity"]!))
            .ToArray();
    }

    private static int? Setting(string name) => int.TryParse(Environment.GetEnvironmentVariable(name), out int value) ? value : null;
}
