using System.Net;
using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using GradApi.Observability;
using GradApi.Tests.Infrastructure;

namespace GradApi.Tests.Observability;

/// <summary>Which build is running: GET /version and the GradApi-Version header of every answer.</summary>
public sealed class VersionTests(GradApiFactory factory) : IClassFixture<GradApiFactory>
{
    private readonly HttpClient _client = factory.CreateClient();

    private static string Informational =>
        typeof(BuildVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;

    [Fact]
    public async Task Version_AnswersTheAssemblysVersionAndCommit()
    {
        JsonObject answer = await (await _client.GetAsync("/version")).Json();

        string expected = Informational;
        Assert.Equal(expected.Split('+')[0], (string)answer["version"]!);
        if (expected.Contains('+')) Assert.Equal(expected.Split('+')[1], (string)answer["commit"]!);
        else Assert.Null(answer["commit"]);
    }

    [Fact]
    public void TheBuildInAGitCheckout_KnowsItsCommit()
    {
        // The tests run from a git checkout (CI's clone, a developer's): the SDK put the commit in the version.
        if (!Directory.Exists(Repository.PathOf(".git")) && !File.Exists(Repository.PathOf(".git"))) return;

        Assert.Matches("^[0-9a-f]{40}$", BuildVersion.Current.Commit!);
    }

    [Fact]
    public void TheContainerBuildsVersion_IsTheProjectVersion()
    {
        string props = File.ReadAllText(Repository.PathOf("Directory.Build.props"));
        string dockerfile = File.ReadAllText(Repository.PathOf("Dockerfile"));

        string version = Regex.Match(props, "<VersionPrefix>(.+?)</VersionPrefix>").Groups[1].Value;
        Assert.Equal(version, BuildVersion.Current.Version);
        Assert.Equal(version, Regex.Match(dockerfile, @"^ARG APP_VERSION=(\S+)$", RegexOptions.Multiline).Groups[1].Value);
    }

    [Theory]
    [InlineData("/healthz")]
    [InlineData("/v1/ops")]
    [InlineData("/no/such/page")]
    public async Task EveryAnswer_SaysItsVersion(string path)
    {
        using HttpResponseMessage response = await _client.GetAsync(path);

        Assert.Equal(Informational, Assert.Single(response.Headers.GetValues(BuildVersion.HeaderName)));
    }

    [Fact]
    public async Task AProblem_SaysItsVersionToo()
    {
        using HttpResponseMessage response = await _client.Evaluate("{\"nodes\": 1}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(Informational, Assert.Single(response.Headers.GetValues(BuildVersion.HeaderName)));
    }

    [Theory]
    [InlineData("1.0.0+4f1c2e9", "1.0.0", "4f1c2e9")]
    [InlineData("1.0.0", "1.0.0", null)]
    [InlineData("1.0.0+", "1.0.0", null)]
    public void BuildVersion_SplitsVersionAndCommit(string informational, string version, string? commit)
    {
        BuildVersion parsed = BuildVersion.Parse(informational);

        Assert.Equal(new BuildVersion(version, commit), parsed);
    }
}
