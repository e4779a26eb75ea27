using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace GradApi.Tests.Hardening.Fuzz;

/// <summary>
/// A valid small graph with one thing broken: in its JSON (a property deleted, repeated, renamed, of
/// the wrong type, null, a number out of range, deep nesting), in its meaning (an unknown op, a
/// cycle, a dangling input, a duplicate id, a wrong arity, value on a gate) or in its bytes (flips,
/// truncation, invalid UTF-8, junk). Where the break is certain to be found first, the problem
/// must name its JSON path.
/// </summary>
internal static class GraphMutations
{
    private static readonly string[] UnknownOps = ["Add", "ADD", "add ", "", "frobnicate", "input2", "lOg", "max\u0000", "sigmoïd", "relu6", "constant"];
    private static readonly string[] NewNames = ["", "Id", "OP", "valeur", " id", "nodes ", "ïd", "input", "x.y", "a[0]", "\u0000", "😀", "Inputs"];

    /// <summary>Number literals JSON does not allow.</summary>
    private static readonly string[] NotJson = ["NaN", "Infinity", "-Infinity", "0x10", "01", "1.", ".5", "+1", "1e", "--1", "1_000", "ⅷ"];

    /// <summary>Numbers past a double.</summary>
    private static readonly string[] OutOfRange = ["1e400", "-1e999", "1" + new string('0', 400)];

    /// <summary>Valid but extreme numbers.</summary>
    private static readonly string[] Extreme = ["1e308", "-1.7976931348623157e308", "5e-324", "-0", "1e-400", "123456789012345678901234567890", "0.0000000000000000000001"];

    private static readonly int[] Depths = [2, 63, 64, 65, 100, 1_000, 10_000];

    private static readonly byte[][] InvalidUtf8 = [[0xFF], [0xC3], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0x80], [0xF4, 0x90, 0x80, 0x80]];

    private sealed record Slot(JsonNode Parent, string? Key, int Index, string Path)
    {
        public JsonNode? Value => Key is not null ? Parent.AsObject()[Key] : Parent.AsArray()[Index];

        public void Set(JsonNode? value)
        {
            if (Key is not null) Parent.AsObject()[Key] = value;
            else Parent.AsArray()[Index] = value;
        }
    }

    public static FuzzCase Mutated(Random rng, IReadOnlyList<FuzzOp> ops)
    {
        FuzzGraph graph = FuzzCases.RandomGraph(rng, ops, small: true);
        JsonObject body = graph.ToJson(rng);
        string url = FuzzCase.AnyUrl(rng);
        FuzzCase Case(string kind, byte[] bytes, Action<FuzzResponse> check) => FuzzCase.Post("graph: " + kind, url, bytes, check);
        FuzzCase Expecting(string kind, string path) => Case(kind, FuzzCase.Bytes(body), r => r.ExpectError(path));
        FuzzCase Anything(string kind, byte[] bytes) => Case(kind, bytes, r => r.Expect(200, 400, 422));

        // The meaning breaks below leave everything else valid, the output included.
        body["output"] = graph.Nodes[graph.OutputIndex].Id;
        List<Slot> slots = Slots(body);
        int[] gates = Enumerable.Range(0, graph.Nodes.Length).Where(i => graph.Nodes[i].Inputs is not null).ToArray();
        int[] leaves = Enumerable.Range(0, graph.Nodes.Length).Where(i => graph.Nodes[i].Inputs is null).ToArray();

        switch (rng.Next(21))
        {
            case 0:
            {
                Slot slot = Pick(rng, slots.Where(s => s.Key is not null));
                slot.Parent.AsObject().Remove(slot.Key!);
                return Anything("property deleted", FuzzCase.Bytes(body));
            }
            case 1:
            {
                Slot slot = Pick(rng, slots.Where(s => s.Key is not null));
                var repeated = slot.Value!.DeepClone();
                byte[] bytes = FuzzCases.WithRaw(body, placeholder => slot.Parent.AsObject()["FUZZ_REPEATED"] = placeholder, repeated.ToJsonString());
                bytes = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(bytes).Replace("\"FUZZ_REPEATED\"", FuzzCases.Quote(slot.Key!), StringComparison.Ordinal));
                return Case("property repeated", bytes, r => r.ExpectError(slot.Path));
            }
            case 2:
            {
                Slot slot = Pick(rng, slots.Where(s => s.Key is not null));
                string name = NewNames[rng.Next(NewNames.Length)];
                JsonObject owner = slot.Parent.AsObject();
                JsonNode? value = slot.Value;
                owner.Remove(slot.Key!);
                owner[name] = value;
                string parent = slot.Path == slot.Key ? "" : slot.Path[..^(slot.Key!.Length + 1)];
                return Expecting("property renamed", MemberPath(parent, name));
            }
            case 3:
            case 4:
            {
                Slot slot = Pick(rng, slots);
                JsonValueKind kind = slot.Value?.GetValueKind() ?? JsonValueKind.Null;
                JsonNode? wrong = WrongTypes().Where(w => (w?.GetValueKind() ?? JsonValueKind.Null) != kind).ElementAt(rng.Next(6));
                slot.Set(wrong);
                return Expecting("wrong type", slot.Path);
            }
            case 5:
            {
                Slot slot = Pick(rng, slots.Where(s => s.Value?.GetValueKind() == JsonValueKind.Number));
                return rng.Next(3) switch
                {
                    0 => Case("not a JSON number", FuzzCases.WithRaw(body, slot.Set, NotJson[rng.Next(NotJson.Length)]), r => r.ExpectError("$")),
                    1 => Case("number out of range", FuzzCases.WithRaw(body, slot.Set, OutOfRange[rng.Next(OutOfRange.Length)]), r => r.ExpectError(slot.Path)),
                    _ => Case("extreme number", FuzzCases.WithRaw(body, slot.Set, Extreme[rng.Next(Extreme.Length)]), r => r.Expect(200, 422)),
                };
            }
            case 6:
            {
                int depth = Depths[rng.Next(Depths.Length)];
                string deep = rng.Next(2) == 0
                    ? new string('[', depth) + new string(']', depth)
                    : string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth);
                if (rng.Next(4) == 0) return Case("deeply nested body", Encoding.UTF8.GetBytes(deep), r => r.Expect(400));
                return Case("deep nesting", FuzzCases.WithRaw(body, Pick(rng, slots).Set, deep), r => r.Expect(400));
            }
            case 7:
            {
                int node = rng.Next(graph.Nodes.Length);
                body["nodes"]![node]!["op"] = UnknownOps[rng.Next(UnknownOps.Length)];
                return Expecting("unknown op", $"nodes[{node}].op");
            }
            case 8 when gates.Length > 0:
                return Cycle(rng, graph, body, Case);
            case 9 when gates.Length > 0:
            {
                int gate = Pick(rng, gates), input = rng.Next(graph.Nodes[gate].Inputs!.Length);
                body["nodes"]![gate]!["inputs"]![input] = "ghost" + rng.Next(100);
                return Expecting("dangling input", $"nodes[{gate}].inputs[{input}]");
            }
            case 10 when graph.Nodes.Length > 1:
            {
                int a = rng.Next(graph.Nodes.Length), b = (a + 1 + rng.Next(graph.Nodes.Length - 1)) % graph.Nodes.Length;
                body["nodes"]![a]!["id"] = graph.Nodes[b].Id;
                return Expecting("duplicate id", $"nodes[{Math.Max(a, b)}].id");
            }
            case 11 when gates.Length > 0:
            {
                int gate = Pick(rng, gates);
                FuzzOp op = ops.Single(o => o.Name == graph.Nodes[gate].Op);
                JsonArray inputs = body["nodes"]![gate]!["inputs"]!.AsArray();
                if (op.MinArity == op.MaxArity) inputs.Add(graph.Nodes[0].Id);
                else while (inputs.Count >= op.MinArity) inputs.RemoveAt(inputs.Count - 1);
                return Expecting("wrong arity", $"nodes[{gate}].inputs");
            }
            case 12 when gates.Length > 0:
            {
                int gate = Pick(rng, gates);
                body["nodes"]![gate]!["value"] = 1.5;
                return Expecting("value on a gate", $"nodes[{gate}].value");
            }
            case 13:
            {
                int leaf = Pick(rng, leaves);
                body["nodes"]![leaf]!.AsObject().Remove("value");
                return Expecting("leaf without a value", $"nodes[{leaf}].value");
            }
            case 14:
                body["output"] = rng.Next(2) == 0 ? "" : "nowhere" + rng.Next(10);
                return Expecting("unknown output", "output");
            case 15:
            {
                byte[] bytes = FuzzCase.Bytes(body);
                for (int flips = 1 + rng.Next(3); flips > 0; flips--)
                {
                    int at = rng.Next(bytes.Length);
                    bytes[at] = rng.Next(2) == 0 ? (byte)rng.Next(256) : (byte)(bytes[at] ^ (1 << rng.Next(8)));
                }
                return Anything("bytes flipped", bytes);
            }
            case 16:
            {
                byte[] bytes = FuzzCase.Bytes(body);
                return Case("truncated", bytes[..rng.Next(bytes.Length)], r => r.ExpectError("$"));
            }
            case 17:
            {
                // Into a string: after the opening quote of a property name or a string value.
                string text = FuzzCase.Json(body);
                int[] quotes = Enumerable.Range(1, text.Length - 1).Where(i => text[i] == '"' && text[i - 1] is '{' or ',' or ':' or '[').ToArray();
                int at = Encoding.UTF8.GetByteCount(text.AsSpan(0, Pick(rng, quotes) + 1));
                byte[] bytes = FuzzCase.Bytes(body);
                return Case("invalid UTF-8", [.. bytes[..at], .. InvalidUtf8[rng.Next(InvalidUtf8.Length)], .. bytes[at..]], r => r.ExpectError("$"));
            }
            case 18:
            {
                // Before the body or after it ("{}" only after: a body of its own, it lacks nodes).
                string[] junk = ["x", ",", "]", "/* c */", "// c", "\u0000", "null", "{}"];
                byte[] bytes = FuzzCase.Bytes(body);
                int which = rng.Next(junk.Length);
                byte[] extra = Encoding.UTF8.GetBytes(junk[which]);
                bool after = which == junk.Length - 1 || rng.Next(2) == 0;
                return Case("junk", after ? [.. bytes, .. extra] : [.. extra, .. bytes], r => r.ExpectError("$"));
            }
            case 19:
            {
                // A very long id, everywhere the node is named: still a valid graph.
                int node = rng.Next(graph.Nodes.Length);
                string old = graph.Nodes[node].Id, longId = new string('w', 1_000 + rng.Next(20_000)) + old;
                foreach (JsonNode? n in body["nodes"]!.AsArray())
                {
                    if ((string)n!["id"]! == old) n["id"] = longId;
                    foreach (JsonValue input in n["inputs"]?.AsArray().OfType<JsonValue>().ToArray() ?? [])
                        if ((string)input! == old) input.ReplaceWith(longId);
                }
                if ((string)body["output"]! == old) body["output"] = longId;
                byte[] bytes = FuzzCase.Bytes(body);
                return Case("very long id", bytes, r =>
                {
                    if (bytes.Length > FuzzLimits.MaxBodyBytes) r.Expect(413);
                    else r.Expect(200, 422);
                });
            }
            default:
            {
                // null where anything is expected: never allowed
                Slot slot = Pick(rng, slots);
                slot.Set(null);
                return Expecting("null", slot.Path);
            }
        }
    }

    /// <summary>A gate made to read a node downstream of it (or itself): a 400 listing the ids on the cycle.</summary>
    private static FuzzCase Cycle(Random rng, FuzzGraph graph, JsonObject body, Func<string, byte[], Action<FuzzResponse>, FuzzCase> make)
    {
        int[] gates = Enumerable.Range(0, graph.Nodes.Length).Where(i => graph.Nodes[i].Inputs is not null).ToArray();
        int gate = Pick(rng, gates);
        int[] readers = Enumerable.Range(0, graph.Nodes.Length).Where(i => graph.Nodes[i].Inputs?.Contains(gate) == true).ToArray();
        int back = readers.Length > 0 && rng.Next(3) > 0 ? Pick(rng, readers) : gate;
        body["nodes"]![gate]!["inputs"]![0] = graph.Nodes[back].Id;
        return make("cycle", FuzzCase.Bytes(body), response =>
        {
            response.Expect(400);
            var cycle = response.Json["cycle"]!.AsArray().Select(n => (string)n!).ToArray();
            Assert.Contains(graph.Nodes[gate].Id, cycle);
            Assert.Contains(graph.Nodes[back].Id, cycle);
        });
    }

    /// <summary>Every value in the body, with its JSON path as the service spells it.</summary>
    private static List<Slot> Slots(JsonObject root)
    {
        var slots = new List<Slot>();
        var pending = new Stack<(JsonNode Node, string Path)>();
        pending.Push((root, ""));
        while (pending.TryPop(out var item))
        {
            if (item.Node is JsonObject o)
            {
                foreach ((string key, JsonNode? value) in o)
                {
                    string path = item.Path.Length == 0 ? key : $"{item.Path}.{key}";
                    slots.Add(new Slot(o, key, -1, path));
                    if (value is JsonObject or JsonArray) pending.Push((value, path));
                }
            }
            else if (item.Node is JsonArray a)
            {
                for (int i = 0; i < a.Count; i++)
                {
                    string path = $"{item.Path}[{i}]";
                    slots.Add(new Slot(a, null, i, path));
                    if (a[i] is JsonObject or JsonArray) pending.Push((a[i]!, path));
                }
            }
        }
        return slots;
    }

    /// <summary>The path the service gives a member: <c>nodes[0].id</c>, or in brackets where the name is no identifier.</summary>
    private static string MemberPath(string parent, string name) =>
        Regex.IsMatch(name, "^[A-Za-z_][A-Za-z0-9_]*$") ? (parent.Length == 0 ? name : $"{parent}.{name}")
        : $"{(parent.Length == 0 ? "$" : parent)}['{name.Replace("\\", "\\\\").Replace("'", "\\'")}']";

    /// <summary>A value of each JSON kind, made anew (a node has one parent).</summary>
    private static IEnumerable<JsonNode?> WrongTypes() =>
        [JsonValue.Create("1"), JsonValue.Create(7), JsonValue.Create(true), null, new JsonArray(), new JsonObject(), new JsonArray("a"), new JsonObject { ["id"] = "x" }];

    private static T Pick<T>(Random rng, IEnumerable<T> items)
    {
        var list = items as IReadOnlyList<T> ?? items.ToArray();
        return list[rng.Next(list.Count)];
    }
}
