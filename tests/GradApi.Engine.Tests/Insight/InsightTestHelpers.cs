using System.Globalization;
using GradApi.Engine.Compilation;
using GradApi.Engine.Evaluation;
using GradApi.Engine.Expressions;
using GradApi.Engine.Graphs;

namespace GradApi.Engine.Tests.Insight;

/// <summary>Small helpers shared by the insight tests.</summary>
internal static class InsightTestHelpers
{
    public static ExpressionParseResult Parse(string expression, params (string Name, double Value)[] inputs) =>
        new ExpressionParser().Parse(expression, inputs.ToDictionary(i => i.Name, i => i.Value));

    /// <summary>Parses with those of <paramref name="candidates"/> that the expression uses (each valued 1.5).</summary>
    public static GraphSpec ParseUsing(string expression, string candidates = "x,y,z")
    {
        var inputs = candidates.Split(',').ToDictionary(n => n, _ => 1.5);
        var parser = new ExpressionParser();
        ExpressionParseResult first = parser.Parse(expression, inputs);
        foreach (ExpressionError e in first.Errors.Where(e => e.Kind == ExpressionErrorKind.UnusedInput))
            inputs.Remove(e.Name!);
        ExpressionParseResult result = parser.Parse(expression, inputs);
        Assert.True(result.Succeeded, string.Join(" ", result.Errors.Select(e => e.Message)));
        return result.Spec;
    }

    public static Tape Compile(GraphSpec spec, EvaluationMode mode = EvaluationMode.Training)
    {
        CompileResult compiled = new GraphCompiler().Compile(spec, mode);
        Assert.True(compiled.Succeeded, string.Join(" ", compiled.Errors.Select(e => e.Message)));
        return compiled.Tape;
    }

    public static int IndexOf(GraphSpec spec, string id)
    {
        for (int i = 0; i < spec.NodeCount; i++)
            if (spec.Id(i) == id) return i;
        throw new KeyNotFoundException(id);
    }

    /// <summary>
    /// The tree under the output as <c>op(input, ...)</c>, inputs by name and consts by value.
    /// Recursive: for the small graphs of these tests only.
    /// </summary>
    public static string Structure(GraphSpec spec)
    {
        string Show(int node) => spec.Op(node) switch
        {
            "input" => spec.Id(node),
            "const" => spec.Value(node).ToString("R", CultureInfo.InvariantCulture),
            string op => $"{op}({string.Join(", ", Enumerable.Range(0, spec.InputCountOf(node)).Select(k => Show(IndexOf(spec, spec.Input(node, k)))))})",
        };
        return Show(IndexOf(spec, spec.Output!));
    }
}
