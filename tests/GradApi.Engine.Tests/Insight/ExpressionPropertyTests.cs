using System.Globalization;
using CsCheck;
using GradApi.Engine.Evaluation;
using GradApi.Engine.Expressions;
using GradApi.Engine.Graphs;
using GradApi.Engine.Ops;
using static GradApi.Engine.Tests.Insight.InsightTestHelpers;

namespace GradApi.Engine.Tests.Insight;

/// <summary>
/// Random expression trees, printed as text with as few parentheses as the grammar allows,
/// parse into graphs that evaluate like the same trees built directly as GraphSpec nodes.
/// </summary>
public class ExpressionPropertyTests
{
    private static readonly string[] Names = ["a", "b", "c"];

    private static readonly Op[] Gates = [.. OpTable.All.Where(op => !op.IsLeaf)];

    /// <summary>An expression tree. <see cref="AsCall"/> prints an operator op as a call (<c>add(a, b)</c>).</summary>
    private sealed record Tree(string Op, string? Name, double Value, Tree[] Children, bool AsCall);

    /// <summary>
    /// A tree from a postfix program: each instruction pushes a leaf, or applies a gate to the top
    /// of the stack when it holds enough operands; what is left is summed. Shrinks with the program.
    /// </summary>
    private static readonly Gen<(Tree Tree, double[] Inputs)> Trees =
        Gen.Select(Gen.Select(Gen.Int[0, 1_000_000], Gen.Double[0, 3]).Array[1, 30], Gen.Double[-2, 2].Array[3])
            .Select(t => (Build(t.Item1), t.Item2));

    private static Tree Build((int Pick, double Value)[] program)
    {
        var stack = new Stack<Tree>();
        foreach ((int pick, double value) in program)
        {
            Op gate = Gates[pick % Gates.Length];
            int arity = gate.MaxArity == int.MaxValue ? 2 + pick / 100 % 2 : gate.MinArity;
            if (pick / 1000 % 3 == 0 || stack.Count < arity)
            {
                stack.Push(pick / 10 % 4 == 0
                    ? new Tree("const", null, Math.Round(value, pick / 7 % 4 == 0 ? 15 : 2), [], false)
                    : new Tree("input", Names[pick % 3], 0, [], false));
                continue;
            }
            var children = new Tree[arity];
            for (int k = arity - 1; k >= 0; k--) children[k] = stack.Pop();
            stack.Push(new Tree(gate.Name, null, 0, children, arity > 2 || pick / 200 % 2 == 0));
        }
        while (stack.Count > 1)
        {
            Tree right = stack.Pop(), left = stack.Pop();
            stack.Push(new Tree("add", null, 0, [left, right], false));
        }
        return stack.Pop();
    }

    // Binding strength: 1 sums, 2 products, 3 unary minus, 4 powers, 5 atoms and calls.
    private static (string Text, int Strength) Print(Tree tree)
    {
        if (tree.Op == "input") return (tree.Name!, 5);
        if (tree.Op == "const") return (tree.Value.ToString("R", CultureInfo.InvariantCulture), 5);

        var children = tree.Children.Select(Print).ToArray();
        string Wrap((string Text, int Strength) c, bool parens) => parens ? $"({c.Text})" : c.Text;
        return tree.AsCall ? ($"{tree.Op}({string.Join(", ", children.Select(c => c.Text))})", 5) : tree.Op switch
        {
            "add" or "sub" => ($"{Wrap(children[0], false)} {Symbol(tree.Op)} {Wrap(children[1], children[1].Strength <= 1)}", 1),
            "mul" or "div" => ($"{Wrap(children[0], children[0].Strength < 2)}{Symbol(tree.Op)}{Wrap(children[1], children[1].Strength <= 2)}", 2),
            "neg" => ($"-{Wrap(children[0], children[0].Strength < 3)}", 3),
            "pow" => ($"{Wrap(children[0], children[0].Strength <= 4)}^{Wrap(children[1], children[1].Strength < 3)}", 4),
            _ => ($"{tree.Op}({string.Join(", ", children.Select(c => c.Text))})", 5),
        };
    }

    private static string Symbol(string op) => op switch { "add" => "+", "sub" => "-", "mul" => "*", "div" => "/", _ => "" };

    /// <summary>The tree as nodes <c>n1, n2, ...</c> (children first) and one input node per name.</summary>
    private static GraphSpec BuildDirectly(Tree root, double[] inputs)
    {
        var spec = new GraphSpec();
        var added = new HashSet<string>();
        int count = 0;
        string Add(Tree tree)
        {
            if (tree.Op == "input")
            {
                if (added.Add(tree.Name!)) spec.AddNode(tree.Name!, "input", inputs[Array.IndexOf(Names, tree.Name)], null);
                return tree.Name!;
            }
            string[] children = tree.Children.Select(Add).ToArray();
            string id = $"n{++count}";
            spec.AddNode(id, tree.Op, tree.Op == "const" ? tree.Value : null, tree.Op == "const" ? null : children);
            return id;
        }
        spec.Output = Add(root);
        return spec;
    }

    [Fact]
    public void PrintedTree_ParsesToAGraphWithTheSameValueAndGrads()
    {
        Trees.Sample(sample =>
        {
            (Tree tree, double[] inputs) = sample;
            string text = Print(tree).Text;
            GraphSpec direct = BuildDirectly(tree, inputs);
            var values = Names.Where(n => direct.NodeCount > 0 && Enumerable.Range(0, direct.NodeCount).Any(i => direct.Id(i) == n))
                .ToDictionary(n => n, n => inputs[Array.IndexOf(Names, n)]);

            ExpressionParseResult parsed = new ExpressionParser().Parse(text, values);

            Assert.True(parsed.Succeeded, text + ": " + string.Join(" ", parsed.Errors.Select(e => e.Message)));
            Assert.Equal(direct.NodeCount, parsed.Spec.NodeCount);
            using var directEngine = new GraphEngine();
            using var parsedEngine = new GraphEngine();
            EvaluationResult expected = directEngine.Evaluate(Compile(direct), EvaluationMode.Training);
            EvaluationResult actual = parsedEngine.Evaluate(Compile(parsed.Spec), EvaluationMode.Training);
            Assert.Equal(expected.Succeeded, actual.Succeeded);
            if (!expected.Succeeded) return;
            AssertClose(expected.Value, actual.Value, text);
            foreach (string name in values.Keys)
                AssertClose(expected.GradOf(IndexOf(direct, name)), actual.GradOf(IndexOf(parsed.Spec, name)), text);
        }, iter: 2_000, print: s => Print(s.Tree).Text);
    }

    [Fact]
    public void Printer_AddsOnlyTheParenthesesTheGrammarNeeds()
    {
        Tree x = new("input", "a", 0, [], false), y = new("input", "b", 0, [], false);
        Tree neg = new("neg", null, 0, [x], false);
        Tree pow = new("pow", null, 0, [neg, new("pow", null, 0, [y, neg], false)], false);

        Assert.Equal("(-a)^b^-a", Print(pow).Text);
        Assert.Equal("pow(neg(a), pow(b, neg(a)))", Structure(ParseUsing(Print(pow).Text, "a,b")));
    }

    private static void AssertClose(double expected, double actual, string text) =>
        Assert.True(expected == actual || Math.Abs(expected - actual) <= 1e-12 * Math.Max(Math.Abs(expected), Math.Abs(actual)),
            $"{text}: expected {expected:R}, got {actual:R}");
}
