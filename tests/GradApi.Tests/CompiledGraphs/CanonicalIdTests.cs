using System.Security.Cryptography;
using System.Text;
using GradApi.CompiledGraphs;
using GradApi.Tests.Infrastructure;

namespace GradApi.Tests.CompiledGraphs;

public sealed class CanonicalIdTests(GradApiFactory factory) : IClassFixture<GradApiFactory>
{
    /// <summary>(x + y) * z as RFC 8785 writes {nodes, output, seed}: keys sorted, no spaces, the body's node order.</summary>
    private const string AddMulCanonical =
        """{"nodes":[{"id":"x","op":"input","value":-2},{"id":"y","op":"input","value":5},{"id":"z","op":"input","value":-4},"""
        + """{"id":"q","inputs":["x","y"],"op":"add"},{"id":"f","inputs":["q","z"],"op":"mul"}],"output":"f","seed":1}""";

    /// <summary>SHA-256 of <see cref="AddMulCanonical"/>, computed outside the service (Python's hashlib).</summary>
    private const string AddMulId = "sha256:5968ef58bc577a9eceb3fbb19216e6ce2ac3733aa119be112785cca7e9766ede";

    private readonly HttpClient _client = factory.CreateClient();

    [Fact]
    public void TheExpectedId_IsTheSha256OfTheDocumentedCanonicalBytes()
    {
        string hex = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(AddMulCanonical)));
        Assert.Equal(AddMulId, "sha256:" + hex);
    }

    [Fact]
    public async Task AddMul_GetsTheIdOfItsCanonicalBytes_InAnyProcess()
    {
        Assert.Equal(AddMulId, await _client.RegisterId(Graphs.AddMul));
        using var other = new GradApiFactory();
        Assert.Equal(AddMulId, await other.CreateClient().RegisterId(Graphs.AddMul));
    }

    [Fact]
    public async Task TheCanonicalBytes_AreThemselvesABodyWithTheSameId()
    {
        Assert.Equal(AddMulId, await _client.RegisterId(AddMulCanonical));
    }

    [Theory]
    [InlineData("spacing and line breaks", """
        {  "output" : "f" ,
           "nodes":[{"value":-2.0,"op":"input","id":"x"},{"op":"input","id":"y","value":5e0},
        {"id":"z","value":-0.4e1,"op":"input"},{"inputs":["x","y"],"id":"q","op":"add"},{"op":"mul","id":"f","inputs":["q","z"]}]}
        """)]
    [InlineData("the output left to the only sink, the seed given as 1", """
        {"seed": 1.000, "nodes":[{"id":"x","op":"input","value":-2},{"id":"y","op":"input","value":5},
        {"id":"z","op":"input","value":-4},{"id":"q","op":"add","inputs":["x","y"]},{"id":"f","op":"mul","inputs":["q","z"]}]}
        """)]
    [InlineData("escaped ids", """
        {"nodes":[{"id":"\u0078","op":"input","value":-2},{"id":"y","op":"input","value":5},
        {"id":"z","op":"input","value":-4},{"id":"q","op":"\u0061dd","inputs":["x","y"]},{"id":"f","op":"mul","inputs":["q","z"]}],"output":"\u0066"}
        """)]
    public async Task HowTheBodyIsSpelled_DoesNotChangeTheId(string why, string body)
    {
        Assert.True(why.Length > 0);
        Assert.Equal(AddMulId, await _client.RegisterId(body));
    }

    [Theory]
    [InlineData("node order", "\"x\",\"op\":\"input\",\"value\":-2},{\"id\":\"y\"", "\"y\",\"op\":\"input\",\"value\":5},{\"id\":\"x\"")]
    [InlineData("a default", "\"value\":5", "\"value\":6")]
    [InlineData("no default", ",\"value\":5", "")]
    [InlineData("an input order", "[\"x\",\"y\"]", "[\"y\",\"x\"]")]
    [InlineData("the seed", "\"seed\":1", "\"seed\":2")]
    public async Task WhatChangesTheAnswer_ChangesTheId(string what, string from, string to)
    {
        string changed = AddMulCanonical.Replace("\"x\",\"op\":\"input\",\"value\":-2},{\"id\":\"y\",\"op\":\"input\",\"value\":5}",
            what == "node order" ? "\"y\",\"op\":\"input\",\"value\":5},{\"id\":\"x\",\"op\":\"input\",\"value\":-2}" : "\"x\",\"op\":\"input\",\"value\":-2},{\"id\":\"y\",\"op\":\"input\",\"value\":5}", StringComparison.Ordinal);
        if (what != "node order") changed = changed.Replace(from, to, StringComparison.Ordinal);
        Assert.NotEqual(AddMulCanonical, changed);

        Assert.NotEqual(AddMulId, await _client.RegisterId(changed));
    }

    [Fact]
    public async Task AnExpression_RegistersTheGraphItParsesTo()
    {
        string expression = """{"expression": "sigmoid(w0*x0 + w1*x1 + w2)", "inputs": {"w0": 2, "x0": -1, "w1": -3, "x1": -2, "w2": -3}}""";
        using var parsed = await _client.PostJson("/v1/parse", expression);
        string nodes = await parsed.Content.ReadAsStringAsync();

        Assert.Equal(await _client.RegisterId(nodes), await _client.RegisterId(expression));
    }

    [Theory]
    [InlineData(1.0, "1")]
    [InlineData(-2.5, "-2.5")]
    [InlineData(0.0, "0")]
    [InlineData(-0.0, "-0")]
    [InlineData(1e21, "1e+21")]
    [InlineData(1e20, "100000000000000000000")]
    [InlineData(123456789012345680000.0, "123456789012345680000")]
    [InlineData(1e-6, "0.000001")]
    [InlineData(1e-7, "1e-7")]
    [InlineData(1.5e-7, "1.5e-7")]
    [InlineData(0.1, "0.1")]
    [InlineData(1.0 / 3, "0.3333333333333333")]
    [InlineData(5e-324, "5e-324")]
    [InlineData(double.MaxValue, "1.7976931348623157e+308")]
    [InlineData(-1234.5678, "-1234.5678")]
    [InlineData(4.35, "4.35")]
    public void Numbers_AreWrittenAsECMAScriptWritesThem(double value, string expected)
    {
        // The expected strings are what JavaScript's String(value) gives, as RFC 8785 requires (-0 kept apart).
        Assert.Equal(expected, CanonicalJson.FormatNumber(value));
    }
}
