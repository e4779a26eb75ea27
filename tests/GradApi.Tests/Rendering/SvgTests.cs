using System.Net;
using System.Xml.Linq;
using GradApi.Rendering;
using GradApi.Tests.Infrastructure;

namespace GradApi.Tests.Rendering;

public sealed class SvgTests(GradApiFactory factory) : IClassFixture<GradApiFactory>
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";
    private readonly HttpClient _client = factory.CreateClient();

    [Fact]
    public async Task Neuron_IsWellFormedSvgWithEveryNodeAndEveryEdgeGradient()
    {
        using var response = await _client.Render(RenderClient.Neuron);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/svg+xml", response.Content.Headers.ContentType?.MediaType);

        var svg = XDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(Svg + "svg", svg.Root!.Name);
        var nodeIds = svg.Descendants(Svg + "g").Where(g => g.Attribute("data-id") is not null).Select(g => g.Attribute("data-id")!.Value).ToList();
        Assert.Equal(["w0", "x0", "mul1", "w1", "x1", "mul2", "add1", "w2", "add2", "sigmoid1"], nodeIds);
        string text = string.Join("\n", svg.Descendants(Svg + "text").Select(t => t.Value));
        foreach (string id in new[] { "w0", "x0", "w1", "x1", "w2", "w0*x0", "mul1: mul", "sigmoid(w0*x0 + w1*x1 + w2)" })
            Assert.Contains(id, text);
        var labels = svg.Descendants(Svg + "text").Where(t => (string?)t.Attribute("class") == "ga-edge-label").Select(t => t.Value).ToList();
        var steps = await _client.Steps(RenderClient.Neuron);
        Assert.Equal(steps.Count, labels.Count);
        Assert.Equal(steps.Select(s => Display.Number(s.Product)).Order(), labels.Order());
        Assert.Contains("-0.1966", labels);
        Assert.Contains("0.3932", labels);
        Assert.Contains("value 0.7311", text);
    }

    [Fact]
    public async Task Neuron_ValuesAreGreenAndGradientsRed()
    {
        string svg = await _client.RenderText(RenderClient.Neuron);

        Assert.Contains(".ga-value{fill:#1a7f37}", svg);
        Assert.Contains(".ga-grad{fill:#c62828}", svg);
        Assert.Contains(".ga-edge-label{font-size:11px;fill:#c62828", svg);
    }

    [Fact]
    public async Task SameGraph_SameBytes()
    {
        using var first = await _client.Render(Graphs.SigmoidNeuron);
        using var second = await _client.Render(Graphs.SigmoidNeuron);

        Assert.Equal(await first.Content.ReadAsByteArrayAsync(), await second.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task HostileIds_AreEscaped()
    {
        string text = await _client.RenderText(RenderClient.HostileIds);

        var svg = XDocument.Parse(text);
        var ids = svg.Descendants(Svg + "g").Select(g => (string?)g.Attribute("data-id")).OfType<string>().ToList();
        Assert.Contains("<script>alert(1)</script>", ids);
        Assert.Contains("a\"b'c&d", ids);
        Assert.Contains("ctl\uFFFD\uFFFD\n", ids);
        Assert.Contains("\ud83d\ude00 \\ end\\", ids);
        Assert.DoesNotContain("<script>", text);
        Assert.DoesNotContain(svg.Descendants(), e => e.Name.LocalName is "script" or "foreignObject");
    }

    [Fact]
    public async Task LongLabels_AreClippedWithTheFullTextInTheTooltip()
    {
        string name = new('v', 60);
        string text = await _client.RenderText(Http.Serialize(new { expression = $"exp({name})", inputs = new Dictionary<string, double> { [name] = 0.5 } }));

        var svg = XDocument.Parse(text);
        var node = svg.Descendants(Svg + "g").Single(g => (string?)g.Attribute("data-id") == name);
        Assert.Contains(node.Elements(Svg + "text"), t => t.Value == new string('v', Display.MaxTitleLength - 1) + "\u2026");
        Assert.StartsWith(name, node.Element(Svg + "title")!.Value);
    }

    [Fact]
    public async Task RandomGraphAtTheLimit_IsDrawnWithoutOverlaps()
    {
        string body = RenderGraphs.RandomNodes(500, seed: 5);

        string text = await _client.RenderText(body);

        var svg = XDocument.Parse(text);
        var rects = svg.Descendants(Svg + "rect").Where(r => r.Parent?.Attribute("data-id") is not null)
            .Select(r => (X: (double)r.Attribute("x")!, Y: (double)r.Attribute("y")!, W: (double)r.Attribute("width")!, H: (double)r.Attribute("height")!))
            .ToList();
        Assert.Equal(500, rects.Count);
        var sorted = rects.OrderBy(r => r.X).ToList();
        for (int a = 0; a < sorted.Count; a++)
            for (int b = a + 1; b < sorted.Count && sorted[b].X < sorted[a].X + sorted[a].W; b++)
                if (sorted[a].Y < sorted[b].Y + sorted[b].H && sorted[b].Y < sorted[a].Y + sorted[a].H) Assert.Fail($"boxes {sorted[a]} and {sorted[b]} overlap");
    }
}
