using System.Text.RegularExpressions;
using GradApi.Rendering;
using GradApi.Tests.Infrastructure;

namespace GradApi.Tests.Rendering;

public sealed partial class MermaidTests(GradApiFactory factory) : IClassFixture<GradApiFactory>
{
    private readonly HttpClient _client = factory.CreateClient();

    [Fact]
    public async Task Neuron_IsAFlowchartListingEveryEdgeWithItsGradient()
    {
        using var response = await _client.Render(RenderClient.Neuron, "mermaid");
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        string mermaid = await response.Content.ReadAsStringAsync();

        Assert.StartsWith("flowchart LR\n", mermaid);
        var nodes = NodeLine().Matches(mermaid).Select(m => m.Groups["text"].Value).ToList();
        Assert.Equal(10, nodes.Count);
        Assert.Equal("w0<br/>input<br/>value 2<br/>grad -0.1966", nodes[0]);
        var steps = await _client.Steps(RenderClient.Neuron);
        var edges = EdgeLine().Matches(mermaid).Select(m => (From: int.Parse(m.Groups["from"].Value), Label: m.Groups["label"].Value, To: int.Parse(m.Groups["to"].Value))).ToList();
        Assert.Equal(steps.Count, edges.Count);
        Assert.Equal(steps.Select(s => Display.Number(s.Product)).Order(), edges.Select(e => e.Label).Order());
        // n0 is w0 and n2 is w0*x0: the edge between them carries w0's gradient.
        Assert.Contains((0, "-0.1966", 2), edges);
    }

    [Fact]
    public async Task HostileIds_AreEscapedWithNamedEntities()
    {
        string mermaid = await _client.RenderText(RenderClient.HostileIds, "mermaid");

        var nodes = NodeLine().Matches(mermaid).Select(m => m.Groups["text"].Value).ToList();
        Assert.Equal(6, nodes.Count);
        Assert.Equal(5, EdgeLine().Matches(mermaid).Count);
        foreach (string text in nodes)
            Assert.DoesNotMatch("[\"<>`#\\n\\u0000-\\u001f]", text.Replace("<br/>", ""));
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", mermaid);
        Assert.Contains("a&quot;b'c&amp;d", mermaid);
        Assert.Contains("]]&gt; &num;quot; | &grave;tick&grave;", mermaid);
        Assert.Contains("ctl\uFFFD\uFFFD\uFFFD", mermaid);
        Assert.Contains("\ud83d\ude00 \\ end\\", mermaid);
    }

    [GeneratedRegex("""^  n\d+\["(?<text>[^"\n]*)"\]$""", RegexOptions.Multiline)]
    private static partial Regex NodeLine();

    [GeneratedRegex("""^  n(?<from>\d+) -->\|"(?<label>[^"]*)"\| n(?<to>\d+)$""", RegexOptions.Multiline)]
    private static partial Regex EdgeLine();
}
