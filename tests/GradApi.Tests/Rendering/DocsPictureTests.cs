using GradApi.Tests.Infrastructure;

namespace GradApi.Tests.Rendering;

/// <summary>docs/neuron.svg, shown in the README, is what the service draws for the sigmoid neuron today.</summary>
public sealed class DocsPictureTests(GradApiFactory factory) : IClassFixture<GradApiFactory>
{
    private readonly HttpClient _client = factory.CreateClient();

    [Fact]
    public async Task DocsNeuronSvg_IsWhatTheServiceDraws()
    {
        string root = Repository.Root;
        string drawn = await _client.RenderText(RenderClient.Neuron);
        Directory.CreateDirectory(Path.Combine(root, "TestResults"));
        string fresh = Path.Combine(root, "TestResults", "neuron.svg");
        await File.WriteAllTextAsync(fresh, drawn);

        string committed = await File.ReadAllTextAsync(Path.Combine(root, "docs", "neuron.svg"));

        Assert.True(committed == drawn,
            $"docs/neuron.svg differs from what the service draws now: if the change is meant, copy {fresh} to docs/neuron.svg.");
    }
}
