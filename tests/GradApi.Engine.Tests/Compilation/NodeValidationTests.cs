using GradApi.Engine.Graphs;
using GradApi.Engine.Tests.Support;

namespace GradApi.Engine.Tests.Compilation;

/// <summary>What the compiler says about a single bad node: the kind, the JSON path and the node's id.</summary>
public sealed class NodeValidationTests
{
    [Fact]
    public void Compile_EmptyGraph_ReportsEmptyGraph()
    {
        GraphError error = Assert.Single(Graph.New().Errors());
        Assert.Equal((GraphErrorKind.EmptyGraph, "nodes"), (error.Kind, error.Path));
        Assert.Null(error.NodeId);
    }

    [Fact]
    public void Compile_EmptyId_ReportsEmptyIdAtItsPath()
    {
        var errors = Graph.New().Input("x", 1).Input("", 2).Gate("f", "add", "x", "x").Output("f").Errors();

        GraphError error = Assert.Single(errors);
        Assert.Equal((GraphErrorKind.EmptyId, "nodes[1].id"), (error.Kind, error.Path));
        Assert.True(string.IsNullOrEmpty(error.NodeId));
    }

    [Fact]
    public void Compile_DuplicateId_ReportsTheSecondUse()
    {
        var errors = Graph.New().Input("x", 1).Input("y", 2).Input("x", 3).Gate("f", "add", "x", "y").Output("f").Errors();

        GraphError error = Assert.Single(errors);
        Assert.Equal((GraphErrorKind.DuplicateId, "nodes[2].id", "x"), (error.Kind, error.Path, error.NodeId));
        Assert.Contains("nodes[0]", error.Message, StringComparison.Ordinal);
        Assert.Contains("nodes[2]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compile_UnknownOp_ReportsTheOpPathAndNoArityError()
    {
        var errors = Graph.New().Input("x", 1).Gate("f", "softmax", "x", "x", "x").Errors();

        GraphError error = Assert.Single(errors);
        Assert.Equal((GraphErrorKind.UnknownOp, "nodes[1].op", "f"), (error.Kind, error.Path, error.NodeId));
        Assert.Contains("softmax", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sub", 1)]
    [InlineData("sub", 3)]
    [InlineData("div", 1)]
    [InlineData("pow", 3)]
    [InlineData("neg", 2)]
    [InlineData("sin", 0)]
    [InlineData("add", 1)]
    [InlineData("mul", 0)]
    [InlineData("max", 1)]
    public void Compile_WrongNumberOfInputs_ReportsWrongArity(string op, int count)
    {
        var errors = Graph.New().Input("x", 1).Gate("f", op, Enumerable.Repeat("x", count).ToArray()).Output("f").Errors();

        GraphError error = Assert.Single(errors);
        Assert.Equal((GraphErrorKind.WrongArity, "nodes[1].inputs", "f"), (error.Kind, error.Path, error.NodeId));
    }

    [Theory]
    [InlineData("add")]
    [InlineData("neg")]
    public void Compile_GateWithoutInputsField_ReportsWrongArity(string op)
    {
        var errors = Graph.New().Input("x", 1).Node("f", op, null, null).Gate("g", "sin", "x").Output("g").Errors();

        GraphError error = Assert.Single(errors);
        Assert.Equal((GraphErrorKind.WrongArity, "nodes[1].inputs", "f"), (error.Kind, error.Path, error.NodeId));
    }

    [Theory]
    [InlineData("input")]
    [InlineData("const")]
    public void Compile_LeafWithInputs_ReportsInputsOnLeaf(string op)
    {
        var errors = Graph.New().Input("x", 1).Node("y", op, 2, ["x"]).Gate("f", "add", "x", "y").Errors();

        GraphError error = Assert.Single(errors);
        Assert.Equal((GraphErrorKind.InputsOnLeaf, "nodes[1].inputs", "y"), (error.Kind, error.Path, error.NodeId));
    }

    [Fact]
    public void Compile_LeafWithEmptyInputsField_ReportsInputsOnLeaf()
    {
        var errors = Graph.New().Node("x", "input", 1, []).Gate("f", "neg", "x").Errors();

        GraphError error = Assert.Single(errors);
        Assert.Equal((GraphErrorKind.InputsOnLeaf, "nodes[0].inputs", "x"), (error.Kind, error.Path, error.NodeId));
    }

    [Fact]
    public void Compile_ValueOnGate_ReportsValueOnNonLeaf()
    {
        var errors = Graph.New().Input("x", 1).Input("y", 2).Node("f", "add", 3, ["x", "y"]).Errors();

        GraphError error = Assert.Single(errors);
        Assert.Equal((GraphErrorKind.ValueOnNonLeaf, "nodes[2].value", "f"), (error.Kind, error.Path, error.NodeId));
    }

    [Theory]
    [InlineData("input")]
    [InlineData("const")]
    public void Compile_LeafWithoutValue_ReportsMissingValue(string op)
    {
        var errors = Graph.New().Input("x", 1).Node("c", op, null, null).Gate("f", "mul", "x", "c").Errors();

        GraphError error = Assert.Single(errors);
        Assert.Equal((GraphErrorKind.MissingValue, "nodes[1].value", "c"), (error.Kind, error.Path, error.NodeId));
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void Compile_NonFiniteLeafValue_ReportsNonFiniteValue(double value)
    {
        var errors = Graph.New().Input("x", 1).Const("c", value).Gate("f", "mul", "x", "c").Errors();

        GraphError error = Assert.Single(errors);
        Assert.Equal((GraphErrorKind.NonFiniteValue, "nodes[1].value", "c"), (error.Kind, error.Path, error.NodeId));
    }

    [Fact]
    public void Compile_InputNamingNoNode_ReportsUnknownInputAtItsIndex()
    {
        var errors = Graph.New().Input("x", 1).Input("y", 2).Gate("f", "add", "x", "nope", "y").Errors();

        GraphError error = Assert.Single(errors);
        Assert.Equal((GraphErrorKind.UnknownInput, "nodes[2].inputs[1]", "f"), (error.Kind, error.Path, error.NodeId));
        Assert.Contains("nope", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compile_EveryUnknownInput_IsReportedWithItsOwnIndex()
    {
        var errors = Graph.New().Input("x", 1).Gate("f", "add", "a", "x", "b").Errors();

        Assert.Equal(["nodes[1].inputs[0]", "nodes[1].inputs[2]"], errors.Select(e => e.Path));
        Assert.All(errors, e => Assert.Equal((GraphErrorKind.UnknownInput, "f"), (e.Kind, e.NodeId)));
    }
}
