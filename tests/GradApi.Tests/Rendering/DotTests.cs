using System.Diagnostics;
using System.Text.RegularExpressions;
using GradApi.Rendering;
using GradApi.Tests.Infrastructure;

namespace GradApi.Tests.Rendering;

public sealed partial class DotTests(GradApiFactory factory) : IClassFixture<GradApiFactory>
{
    private readonly HttpClient _client = factory.CreateClient();

    [Fact]
    public async Task Neuron_IsDotWithEveryNodeAndEveryEdgeGradient()
    {
        using var response = await _client.Render(RenderClient.Neuron, "dot");
        Assert.Equal("text/vnd.graphviz", response.Content.Headers.ContentType?.MediaType);
        string dot = await response.Content.ReadAsStringAsync();

        Assert.StartsWith("digraph \"GradApi\" {", dot);
        foreach (string id in new[] { "w0", "x0", "w1", "x1", "w2", "mul1: mul", "sigmoid1: sigmoid" }) Assert.Contains(id, dot);
        var edges = EdgeLine().Matches(dot).Select(m => m.Groups["label"].Value).Order().ToList();
        var steps = await _client.Steps(RenderClient.Neuron);
        Assert.Equal(steps.Select(s => Display.Number(s.Product)).Order(), edges);
    }

    [GraphvizTheory]
    [InlineData(RenderClient.Neuron)]
    [InlineData(RenderClient.HostileIds)]
    [InlineData(Graphs.AddMul)]
    public async Task Dot_IsAcceptedByGraphviz(string body)
    {
        string dot = await _client.RenderText(body, "dot");

        (int exit, string stdout, string stderr) = await RunDot(dot);

        Assert.True(exit == 0 && stderr.Length == 0, $"dot -Tsvg exited {exit}: {stderr}\n{dot}");
        Assert.Contains("<svg", stdout);
    }

    [GraphvizFact]
    public async Task RandomGraph_IsAcceptedByGraphviz()
    {
        string dot = await _client.RenderText(RenderGraphs.RandomNodes(120, seed: 3), "dot");

        (int exit, _, string stderr) = await RunDot(dot);

        Assert.True(exit == 0 && stderr.Length == 0, $"dot -Tsvg exited {exit}: {stderr}");
    }

    [Fact]
    public async Task HostileIds_StayInsideTheirLabels()
    {
        string dot = await _client.RenderText(RenderClient.HostileIds, "dot");

        // Node names are generated; every user text sits in an HTML-like label, XML-escaped.
        Assert.Equal(6, NodeLine().Matches(dot).Count);
        Assert.Equal(5, EdgeLine().Matches(dot).Count);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", dot);
        Assert.Contains("a&quot;b&#39;c&amp;d", dot);
        Assert.DoesNotContain("<script>", dot);
    }

    /// <summary>Runs Graphviz's <c>dot -Tsvg</c>; fails the test with what to install when it is missing.</summary>
    private static async Task<(int Exit, string Stdout, string Stderr)> RunDot(string dot)
    {
        var start = new ProcessStartInfo("dot", "-Tsvg")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Assert.Fail($"Graphviz's 'dot' is not installed ({e.Message}): these tests check the DOT output with it. "
                + "Install it with 'apt-get install -y graphviz' (.ci/run does so when it is missing).");
            throw;
        }
        using (process)
        {
            await process.StandardInput.WriteAsync(dot);
            process.StandardInput.Close();
            Task<string> stdout = process.StandardOutput.ReadToEndAsync();
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(timeout.Token);
            return (process.ExitCode, await stdout, await stderr);
        }
    }

    [GeneratedRegex("""^  n\d+ -> n\d+ \[label="(?<label>[^"]*)"\];$""", RegexOptions.Multiline)]
    private static partial Regex EdgeLine();

    [GeneratedRegex("""^  n\d+ \[label=<""", RegexOptions.Multiline)]
    private static partial Regex NodeLine();
}
