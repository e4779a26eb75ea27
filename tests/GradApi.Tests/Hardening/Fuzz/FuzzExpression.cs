using System.Globalization;
using System.Text;

namespace GradApi.Tests.Hardening.Fuzz;

/// <summary>
/// A random expression of the README's grammar (numbers, names, <c>+ - * / ^</c>, unary minus,
/// parentheses, calls of any gate of GET /v1/ops), written with as few parentheses as precedence
/// allows and random white space, and evaluated by the same referee as the graphs.
/// </summary>
internal sealed class FuzzExpression
{
    /// <summary>Names, some of them the ids the parser makes (add1, const1) or the names of functions.</summary>
    private static readonly string[] NamePool = ["x", "y", "z", "w0", "x1", "_t", "a_b", "Z9", "add1", "mul1", "const1", "neg2", "exp", "e", "E"];

    private static readonly string[] Numbers = ["2", "3", "0.5", ".25", "1.", "1e-1", "2.5E+0", "0", "10", "0.001"];

    private abstract record Expr;
    private sealed record Num(string Text) : Expr;
    private sealed record Name(string Id) : Expr;
    private sealed record Neg(Expr Operand) : Expr;
    private sealed record Binary(char Op, Expr Left, Expr Right) : Expr;
    private sealed record Call(string Function, Expr[] Args) : Expr;

    private readonly Expr _root;

    private FuzzExpression(Expr root, string text, Dictionary<string, double> inputs)
    {
        _root = root;
        Text = text;
        Inputs = inputs;
    }

    public string Text { get; }

    /// <summary>How many nodes the service makes of it: one per number, operator and call, one per distinct name.</summary>
    public int NodeCount => Count(_root) + Inputs.Count;

    /// <summary>The value of every name the expression uses, and of no other.</summary>
    public Dictionary<string, double> Inputs { get; }

    public static FuzzExpression Generate(Random rng, IReadOnlyList<FuzzOp> ops)
    {
        FuzzOp[] gates = ops.Where(o => !o.IsLeaf).ToArray();
        string[] names = NamePool.OrderBy(_ => rng.Next()).Take(1 + rng.Next(4)).ToArray();
        var used = new HashSet<string>();
        Expr root = Build(rng, gates, names, used, depth: 1 + rng.Next(5));
        var inputs = used.ToDictionary(n => n, _ => Math.Round(rng.NextDouble() * 6 - 3, 3));
        return new FuzzExpression(root, Write(root, rng, 0), inputs);
    }

    private static Expr Build(Random rng, FuzzOp[] gates, string[] names, HashSet<string> used, int depth)
    {
        double pick = rng.NextDouble();
        if (depth == 0 || pick < 0.2)
        {
            if (rng.NextDouble() < 0.25) return new Num(Numbers[rng.Next(Numbers.Length)]);
            string name = names[rng.Next(names.Length)];
            used.Add(name);
            return new Name(name);
        }
        if (pick < 0.55)
            return new Binary("+-*/^"[rng.Next(5)], Build(rng, gates, names, used, depth - 1), Build(rng, gates, names, used, depth - 1));
        if (pick < 0.65) return new Neg(Build(rng, gates, names, used, depth - 1));
        FuzzOp op = gates[rng.Next(gates.Length)];
        var args = new Expr[rng.Next(op.MinArity, op.MaxArity + 1)];
        for (int k = 0; k < args.Length; k++) args[k] = Build(rng, gates, names, used, depth - 1);
        return new Call(op.Name, args);
    }

    private static int Count(Expr e) => e switch
    {
        Name => 0,
        Neg n => 1 + Count(n.Operand),
        Binary b => 1 + Count(b.Left) + Count(b.Right),
        Call c => 1 + c.Args.Sum(Count),
        _ => 1,
    };

    /// <summary>Binding strength: sum 1, product 2, unary minus 3, power 4, primary 5.</summary>
    private static int Precedence(Expr e) => e switch
    {
        Binary { Op: '+' or '-' } => 1,
        Binary { Op: '*' or '/' } => 2,
        Neg => 3,
        Binary => 4,
        _ => 5,
    };

    private static string Write(Expr e, Random rng, int least)
    {
        string text = e switch
        {
            Num n => n.Text,
            Name n => n.Id,
            Neg n => "-" + Space(rng) + Write(n.Operand, rng, 3),
            // ^ takes a primary on its left and a unary on its right (right-associative).
            Binary { Op: '^' } b => Write(b.Left, rng, 5) + Space(rng) + "^" + Space(rng) + Write(b.Right, rng, 3),
            // The others are left-associative: a right operand of the same strength needs parentheses.
            Binary b => Write(b.Left, rng, Precedence(b)) + Space(rng) + b.Op + Space(rng) + Write(b.Right, rng, Precedence(b) + 1),
            Call c => c.Function + "(" + string.Join("," + Space(rng), c.Args.Select(a => Write(a, rng, 0))) + ")",
            _ => throw new InvalidOperationException(),
        };
        bool parenthesize = Precedence(e) < least || rng.NextDouble() < 0.05;
        return parenthesize ? "(" + Space(rng) + text + Space(rng) + ")" : text;
    }

    private static string Space(Random rng) => rng.Next(10) switch
    {
        < 5 => "",
        < 9 => " ",
        _ => "\t ",
    };

    /// <summary>
    /// The value, the smallest margin of any op from where it is undefined or kinks, and the largest
    /// magnitude of any subexpression (sin(e^15) is smooth, but no central difference can follow it).
    /// </summary>
    public (double Value, double Margin, double Largest) Evaluate(IReadOnlyDictionary<string, double> inputs)
    {
        double margin = double.PositiveInfinity, largest = 0;
        int nextSource = -1;
        (double Value, int Source) Eval(Expr e)
        {
            switch (e)
            {
                case Num n:
                    return (double.Parse(n.Text, CultureInfo.InvariantCulture), nextSource--);
                case Name n:
                    return (inputs[n.Id], Array.IndexOf(NamePool, n.Id));
                default:
                    (string op, Expr[] args) = e switch
                    {
                        Neg n => ("neg", new[] { n.Operand }),
                        Binary b => (b.Op switch { '+' => "add", '-' => "sub", '*' => "mul", '/' => "div", _ => "pow" }, new[] { b.Left, b.Right }),
                        Call c => (c.Function, c.Args),
                        _ => throw new InvalidOperationException(),
                    };
                    var results = args.Select(Eval).ToArray();
                    double[] x = results.Select(r => r.Value).ToArray();
                    margin = Math.Min(margin, FuzzReference.Margin(op, x, results.Select(r => r.Source).ToArray()));
                    double value = FuzzReference.Apply(op, x);
                    largest = Math.Max(largest, double.IsNaN(value) ? double.PositiveInfinity : Math.Abs(value));
                    return (value, nextSource--);
            }
        }
        double result = Eval(_root).Value;
        return (result, margin, largest);
    }

    /// <summary>Text that nests <paramref name="depth"/> levels deep in one of the ways the parser recurses.</summary>
    public static string Deep(Random rng, int depth)
    {
        var text = new StringBuilder();
        switch (rng.Next(4))
        {
            case 0: text.Append('(', depth).Append('x').Append(')', depth); break;
            case 1: text.Append('-', depth).Append('x'); break;
            case 2: text.Insert(0, "exp(", depth).Append('x').Append(')', depth); break;
            default: text.Insert(0, "x^", depth).Append('x'); break;
        }
        return text.ToString();
    }
}
