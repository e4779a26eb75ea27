using System.Text;
using System.Text.Json.Nodes;

namespace GradApi.Tests.Hardening.Fuzz;

/// <summary>
/// Expression bodies with something wrong: a character deleted or inserted, an unknown function, a
/// wrong argument count, a name without a value, an unused input, nesting past the limit, a length
/// past it, an empty expression, a number past a double, an expression sent with nodes.
/// </summary>
internal static class ExpressionMutations
{
    private const string Noise = "+-*/^(),.eE$#@! 0a_\u00e9";

    private static readonly string[] WrongCounts = ["exp({0}, 1)", "max({0})", "pow({0})", "neg()", "sub({0}, 1, 2)"];

    private static readonly string[] Blanks = ["", " ", "\t\n"];

    public static FuzzCase Mutated(Random rng, IReadOnlyList<FuzzOp> ops)
    {
        FuzzExpression expression = FuzzExpression.Generate(rng, ops);
        string text = expression.Text;
        var inputs = new JsonObject(expression.Inputs.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value)));
        string url = FuzzCase.AnyUrl(rng);
        FuzzCase Send(string kind, string sent, Action<FuzzResponse> check, JsonObject? withInputs = null) =>
            FuzzCase.Post("expression: " + kind, url, FuzzCase.Bytes(new JsonObject { ["expression"] = sent, ["inputs"] = withInputs ?? inputs }), check);

        switch (rng.Next(12))
        {
            case 0:
            {
                int at = rng.Next(text.Length);
                return Send("character deleted", text.Remove(at, 1), SaysWhereIfBroken);
            }
            case 1:
            {
                int at = rng.Next(text.Length + 1);
                return Send("character inserted", text.Insert(at, Noise[rng.Next(Noise.Length)].ToString()), SaysWhereIfBroken);
            }
            case 2:
                return Send("unknown function", $"frob({text})", ColumnAt(1));
            case 3:
            {
                string call = WrongCounts[rng.Next(WrongCounts.Length)];
                return Send("wrong argument count", call.Replace("{0}", text, StringComparison.Ordinal), ColumnAt(1));
            }
            case 4 when expression.Inputs.Count > 0:
            {
                string name = expression.Inputs.Keys.ElementAt(rng.Next(expression.Inputs.Count));
                inputs.Remove(name);
                return Send("name without a value", text, r => r.ExpectError("expression"));
            }
            case 5:
                inputs["unused_q"] = 1;
                return Send("unused input", text, r => r.ExpectError("inputs.unused_q"));
            case 6:
                return Send("nested past the limit", FuzzExpression.Deep(rng, 257 + rng.Next(3_000)), r => r.ExpectError("expression"),
                    new JsonObject { ["x"] = 0.5 });
            case 7:
            {
                // Past MaxExpressionLength (65,536 characters); or within it, but more nodes than MaxNodes.
                bool tooLong = rng.Next(2) == 0;
                var sum = new StringBuilder("x");
                while (sum.Length <= (tooLong ? 65_536 : 2 * FuzzLimits.MaxNodes + 10)) sum.Append("+x");
                return Send(tooLong ? "too long" : "too many nodes", sum.ToString(),
                    tooLong ? r => r.ExpectError("expression") : r => r.Expect(413), new JsonObject { ["x"] = 1 });
            }
            case 8:
                return Send("empty", Blanks[rng.Next(Blanks.Length)], r => r.ExpectError("expression"), new JsonObject());
            case 9:
                return Send("number past a double", $"{text} + 1e999", r => r.ExpectError("expression"));
            case 10:
            {
                var body = new JsonObject { ["expression"] = text, ["inputs"] = inputs, ["nodes"] = new JsonArray(new JsonObject { ["id"] = "a", ["op"] = "input", ["value"] = 1 }) };
                return FuzzCase.Post("expression: with nodes", url, FuzzCase.Bytes(body), r => r.ExpectError("expression"));
            }
            default:
                return FuzzCase.Post("expression: inputs alone", url, FuzzCase.Bytes(new JsonObject { ["inputs"] = inputs }), r => r.ExpectError("inputs"));
        }
    }

    /// <summary>Whatever the change did, an answer of the contract; a 400 says where (the expression or an input).</summary>
    private static void SaysWhereIfBroken(FuzzResponse response)
    {
        response.Expect(200, 400, 413, 422);
        if (response.Status == 400)
            Assert.Contains(response.Errors, e => e.Key == "expression" || e.Key.StartsWith("inputs.", StringComparison.Ordinal));
    }

    /// <summary>A 400 on the expression whose problem names the column.</summary>
    private static Action<FuzzResponse> ColumnAt(int column) => response =>
    {
        response.ExpectError("expression");
        Assert.Equal(column, (int)response.Json["column"]!);
    };
}
