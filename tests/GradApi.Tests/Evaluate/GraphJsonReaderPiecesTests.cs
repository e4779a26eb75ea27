using System.Text;
using GradApi.Engine.Expressions;
using GradApi.Engine.Graphs;
using GradApi.Evaluate;
using GradApi.Problems;

namespace GradApi.Tests.Evaluate;

/// <summary>
/// A body read in pieces as it arrives gives the spec, or the error, that the whole body gives: split at every byte,
/// a byte at a time, and in random pieces, for bodies that are valid and bodies with every kind of fault.
/// </summary>
public class GraphJsonReaderPiecesTests
{
    public static TheoryData<string> Bodies => new()
    {
        """{"nodes":[{"id":"x","op":"input","value":-2},{"id":"y","op":"input","value":5},{"id":"q","op":"add","inputs":["x","y"]},{"id":"z","op":"input","value":-4},{"id":"f","op":"mul","inputs":["q","z"]}]}""",
        "\uFEFF  {\n \"output\" : \"b\", \"seed\": 2.5e-1,\n \"nodes\" : [ {\"op\":\"const\",\"value\":1e2,\"id\":\"a\",\"label\":\"a \\\"one\\\"\"},\n {\"id\":\"b\",\"op\":\"tanh\",\"inputs\":[\"a\"]} ] }  \n",
        """{"nodes":[{"id":"caf\u00e9 \ud83d\ude00","op":"input","value":0.1},{"id":"\u0041","op":"sin","inputs":["caf\u00e9 \ud83d\ude00"],"label":"é"}],"seed":-3}""",
        """{"nodes":[{"id":"a","op":"input","value":1},{"id":"b","op":"nosuchop","inputs":[]},{"id":"c","op":"sum","inputs":["a","a","b"]}]}""",
        """{"expression":"sigmoid(w0*x0 + w1*x1 + w2)","inputs":{"w0":2,"x0":-1,"w1":-3,"x1":-2,"w2":-3}}""",
        """{"inputs":{"x":1.5},"output":null,"expression":"x*x"}""",
        """{"nodes":[]}""",
        "",
        "   ",
        "\uFEFF",
        "[]",
        """{"nodes":{}}""",
        """{"nodes":[1]}""",
        """{"nodes":[{"id":"a","op":"input","value":1,"value":2}]}""",
        """{"nodes":[{"id":"a","op":"input","value":"1"}]}""",
        """{"nodes":[{"id":"a","op":"input","value":1e400}]}""",
        """{"nodes":[{"id":"a","op":"input","colour":"red"}]}""",
        """{"nodes":[{"op":"input","value":1}]}""",
        """{"nodes":[{"id":"a","inputs":["b",3]}]}""",
        """{"nodes":[{"id":"a","op":"input","value":1}],"nodes":[]}""",
        """{"nodes":[{"id":"a","op":"input","value":1}]}{}""",
        """{"nodes":[{"id":"a","op":"input","value":1},]}""",
        """{"nodes":[{"id":"a","op":"input","value":1}]""",
        """{"nodes":[{"id":"a","op":"input","value":tru}]}""",
        """{"nodes":[{"id":"a","op":"input","value":1}],"expression":"a"}""",
        """{"inputs":{"x":1}}""",
        """{"output":"x"}""",
        """{"expression":"x +* y","inputs":{"x":1,"y":2}}""",
        "{\"nodes\":[{\"id\":\"\\ud800\",\"op\":\"input\",\"value\":1}]}",
        """{"nodes":[{"id":"a","op":"input","value":1}],"seed":1,"seed":2}""",
        """{"nodes":[{"id":"a","op":"input","value":1}] , "weird key" : 1}""",
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public void SplitAtEveryByte_ReadsAsTheWholeBody(string body)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(body);
        string whole = Outcome(() => ReadWhole(bytes));
        for (int at = 0; at <= bytes.Length; at++)
            Assert.Equal(whole, Outcome(() => ReadInPieces(bytes, [at, bytes.Length - at])));
    }

    [Theory]
    [MemberData(nameof(Bodies))]
    public void AByteAtATime_ReadsAsTheWholeBody(string body)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(body);
        Assert.Equal(Outcome(() => ReadWhole(bytes)), Outcome(() => ReadInPieces(bytes, Enumerable.Repeat(1, bytes.Length))));
    }

    [Fact]
    public void LargeGraph_InRandomPieces_ReadsAsTheWholeBody()
    {
        var random = new Random(7);
        var nodes = new StringBuilder("""{"nodes":[{"id":"n0","op":"input","value":0.5}""");
        for (int i = 1; i < 20_000; i++)
        {
            string label = i % 97 == 0 ? $",\"label\":\"{new string('L', random.Next(0, 3 * GraphJsonReader.NodeMargin))}\"" : "";
            nodes.Append($",{{\"id\":\"n{i}\",\"op\":\"add\",\"inputs\":[\"n{random.Next(i)}\",\"n{random.Next(i)}\"]{label}}}");
        }
        nodes.Append("]}");
        byte[] bytes = Encoding.UTF8.GetBytes(nodes.ToString());
        string whole = Outcome(() => ReadWhole(bytes));
        Assert.StartsWith("20000 nodes", whole);

        for (int round = 0; round < 5; round++)
        {
            var sizes = new List<int>();
            for (int left = bytes.Length; left > 0;)
            {
                int size = Math.Min(left, random.Next(1, 3 * GraphJsonReader.NodeMargin));
                sizes.Add(size);
                left -= size;
            }
            Assert.Equal(whole, Outcome(() => ReadInPieces(bytes, sizes)));
        }
        Assert.Equal(whole, Outcome(() =>
        {
            using var reader = new GraphJsonReader(50_000, new ExpressionParser(), inputValuesOptional: false, bytes.Length, default);
            BodyWindow.HandInPieces(bytes, reader); // as the service's window hands it over
            return reader.Finish();
        }));
    }

    [Fact]
    public void ANodeCutByAPiece_IsReadAgainWhole_WithItsInputsAndLabelOnce()
    {
        // The label puts more than the margin between the node's start and the cut, so the node is begun in the first piece.
        string label = new('L', 2 * GraphJsonReader.NodeMargin);
        string first = $$"""{"nodes":[{"id":"a","op":"input","value":1},""";
        string cut = $$"""{"id":"b","op":"add","label":"{{label}}","inputs":["a",""";
        byte[] bytes = Encoding.UTF8.GetBytes(first + cut + "\"a\"]}]}");
        using var reader = new GraphJsonReader(int.MaxValue, new ExpressionParser(), inputValuesOptional: false, bytes.Length, default);

        int taken = reader.Take(bytes.AsSpan(0, first.Length + cut.Length), final: false);
        Assert.Equal(first.Length - 1, taken); // up to the end of the first node
        Assert.Equal(bytes.Length - taken, reader.Take(bytes.AsSpan(taken), final: true));
        using GraphSpec spec = reader.Finish();

        Assert.Equal(2, spec.NodeCount);
        Assert.Equal(2, spec.InputCount);
        Assert.Equal(["a", "a"], [spec.Input(1, 0), spec.Input(1, 1)]);
        Assert.Equal(label, spec.Label(1));
        Assert.Equal("b", spec.Id(1));
    }

    private static GraphSpec ReadWhole(byte[] body) => GraphJsonReader.Read(body, 50_000, new ExpressionParser());

    /// <summary>
    /// Feeds <paramref name="body"/> as if it arrived in pieces of the given sizes, each handed over at once with what the
    /// reader left of the ones before, as <see cref="JsonBody"/> does.
    /// </summary>
    private static GraphSpec ReadInPieces(byte[] body, IEnumerable<int> sizes)
    {
        using var reader = new GraphJsonReader(50_000, new ExpressionParser(), inputValuesOptional: false, body.Length, default);
        int start = 0, end = 0;
        foreach (int size in sizes)
        {
            end += size;
            bool final = end == body.Length;
            start += reader.Take(body.AsSpan(start, end - start), final);
            if (final) Assert.Equal(body.Length, start);
            else Assert.InRange(start, 0, end);
        }
        if (end < body.Length || body.Length == 0) start += reader.Take(body.AsSpan(start), final: true);
        return reader.Finish();
    }

    /// <summary>Everything a spec says, or everything a refusal says, as one string.</summary>
    private static string Outcome(Func<GraphSpec> read)
    {
        GraphSpec spec;
        try
        {
            spec = read();
        }
        catch (ProblemException e)
        {
            string errors = e.Errors is null ? "" : string.Join("; ", e.Errors.Select(kv => $"{kv.Key}: {string.Join(" | ", kv.Value)}"));
            return $"{e.Status} {e.Title}: {e.Detail} [{errors}]";
        }
        using (spec)
        {
            var text = new StringBuilder($"{spec.NodeCount} nodes, {spec.InputCount} inputs, output {spec.Output ?? "(none)"}, seed {spec.Seed:R}\n");
            for (int i = 0; i < spec.NodeCount; i++)
            {
                text.Append($"{spec.Id(i)} {spec.Op(i)} {(spec.HasValue(i) ? spec.Value(i).ToString("R") : "-")} ");
                text.Append(spec.HasInputs(i) ? $"[{string.Join(",", Enumerable.Range(0, spec.InputCountOf(i)).Select(k => spec.Input(i, k)))}]" : "-");
                text.Append($" {spec.Label(i) ?? "-"}\n");
            }
            return text.ToString();
        }
    }
}
