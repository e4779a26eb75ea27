using GradApi.Engine.Graphs;
using GradApi.Engine.Tests.Support;

namespace GradApi.Engine.Tests.Compilation;

public sealed class OutputAndSeedTests
{
    [Fact]
    public void Compile_OutputNamingNoNode_ReportsUnknownOutput()
    {
        var errors = Graph.New().Input("x", 1).Gate("f", "neg", "x").Output("g").Errors();

        GraphError error = Assert.Single(errors);
        Assert.Equal((GraphErrorKind.UnknownOutput, "output", "g"), (error.Kind, error.Path, error.NodeId));
    }

    [Fact]
    public void Compile_SeveralSinksAndNoOutput_ReportsAmbiguousOutputNamingTheSinks()
    {
        var errors = Graph.New().Input("x", 1).Gate("f", "neg", "x").Gate("g", "sin", "x").Errors();

        GraphError error = Assert.Single(errors);
        Assert.Equal((GraphErrorKind.AmbiguousOutput, "output"), (error.Kind, error.Path));
        Assert.Null(error.NodeId);
        Assert.Contains("'f'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'g'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compile_SeveralSinksWithOutputNamed_Compiles()
    {
        var result = Graph.New().Input("x", 1).Gate("f", "neg", "x").Gate("g", "sin", "x").Output("g").Compile();

        Assert.True(result.Succeeded);
        Assert.Equal("g", result.Tape.IdAt(result.Tape.Output));
    }

    [Fact]
    public void Compile_OneSinkAndNoOutput_UsesTheSink()
    {
        // The sink is listed first, so "the last node" would be the wrong guess.
        var result = Graph.New().Gate("f", "neg", "q").Input("x", 1).Gate("q", "sin", "x").Compile();

        Assert.True(result.Succeeded);
        Assert.Equal("f", result.Tape.IdAt(result.Tape.Output));
    }

    [Fact]
    public void Compile_SingleLeafGraph_CompilesWithTheLeafAsOutput()
    {
        var run = Graph.New().Input("x", 4).Train();

        Assert.Equal(4, run.Value);
        Assert.Equal(1, run.Grad("x"));
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void Compile_NonFiniteSeed_ReportsNonFiniteSeed(double seed)
    {
        var errors = Graph.New().Input("x", 1).Gate("f", "neg", "x").Seed(seed).Errors();

        GraphError error = Assert.Single(errors);
        Assert.Equal((GraphErrorKind.NonFiniteSeed, "seed"), (error.Kind, error.Path));
        Assert.Null(error.NodeId);
    }
}
