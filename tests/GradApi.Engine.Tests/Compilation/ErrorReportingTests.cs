using GradApi.Engine.Compilation;
using GradApi.Engine.Graphs;
using GradApi.Engine.Tests.Support;

namespace GradApi.Engine.Tests.Compilation;

public sealed class ErrorReportingTests
{
    [Fact]
    public void Compile_ManyProblems_ReportsThemAllAtOnce()
    {
        var builder = Graph.New()
            .Input("x", 1)                         // nodes[0]
            .Input("x", 2)                         // nodes[1]: duplicate id
            .Gate("a", "softmax", "x")             // nodes[2]: unknown op
            .Gate("b", "sub", "x")                 // nodes[3]: wrong arity
            .Node("c", "const", null, null)        // nodes[4]: missing value
            .Node("d", "neg", 5, ["x"])            // nodes[5]: value on a gate
            .Gate("f", "add", "a", "b", "c", "d", "ghost") // nodes[6]: unknown input at [4]
            .Output("f")                           // the second x is a sink too: name the output
            .Seed(double.NaN);

        CompileResult result = builder.Compile();

        Assert.False(result.Succeeded);
        var expected = new HashSet<(GraphErrorKind, string, string?)>
        {
            (GraphErrorKind.DuplicateId, "nodes[1].id", "x"),
            (GraphErrorKind.UnknownOp, "nodes[2].op", "a"),
            (GraphErrorKind.WrongArity, "nodes[3].inputs", "b"),
            (GraphErrorKind.MissingValue, "nodes[4].value", "c"),
            (GraphErrorKind.ValueOnNonLeaf, "nodes[5].value", "d"),
            (GraphErrorKind.UnknownInput, "nodes[6].inputs[4]", "f"),
            (GraphErrorKind.NonFiniteSeed, "seed", null),
        };
        Assert.Equal(expected, result.Errors.Select(e => (e.Kind, e.Path, e.NodeId)).ToHashSet());
        Assert.Equal(expected.Count, result.Errors.Count);
        Assert.Equal(expected.Count, result.ErrorCount);
    }

    [Fact]
    public void Compile_MoreErrorsThanTheCap_ListsTheCapAndCountsThemAll()
    {
        const int bad = GraphCompiler.MaxReportedErrors + 50;
        var builder = Graph.New().Input("x", 1).Gate("f", "neg", "x").Output("f");
        for (int i = 0; i < bad; i++) builder.Gate($"n{i}", "nope", "x");

        CompileResult result = builder.Compile();

        Assert.False(result.Succeeded);
        Assert.Equal(GraphCompiler.MaxReportedErrors, result.Errors.Count);
        Assert.Equal(bad, result.ErrorCount);
        Assert.Equal("nodes[2].op", result.Errors[0].Path);
    }

    [Fact]
    public void Compile_Success_HasNoErrors()
    {
        CompileResult result = Graph.New().Input("x", 1).Gate("f", "neg", "x").Compile();

        Assert.True(result.Succeeded);
        Assert.Empty(result.Errors);
        Assert.Equal(0, result.ErrorCount);
    }
}
