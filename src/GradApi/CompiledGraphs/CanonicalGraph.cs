using System.Buffers;
using System.Security.Cryptography;
using GradApi.Engine.Compilation;
using GradApi.Engine.Graphs;

namespace GradApi.CompiledGraphs;

/// <summary>
/// A checked graph as canonical JSON, and its id: <c>sha256:</c> and the lowercase hex SHA-256 of those bytes. The
/// same graph gets the same bytes, and so the same id, in any process on any replica, however its body was spelled.
/// </summary>
/// <remarks>
/// <para>
/// The canonical JSON is the object <c>{"nodes": [...], "output": id, "seed": number}</c> serialised by RFC 8785
/// (JCS): keys sorted, no whitespace, strings with only the escapes JSON requires, numbers as ECMAScript writes them
/// (<c>1</c>, <c>1.0</c> and <c>1e0</c> are all <c>1</c>), except that negative zero stays <c>-0</c>. Each node is
/// <c>{"id", "inputs"?, "label"?, "op", "value"?}</c>: <c>inputs</c> on gates, <c>value</c> on leaves that have one
/// (an input registered without a default has none), <c>label</c> where the node has one.
/// </para>
/// <para>
/// Part of the identity, because each changes an answer: the nodes' order (answers list nodes in it), their ids, ops,
/// inputs in order, labels and leaf values (inputs' defaults), the output (named, or the graph's only sink: both
/// give the same bytes) and the seed (1 when not sent). An expression registers the graph it parses to, so its
/// spacing shows in its labels. The canonical JSON is itself a valid body for <c>POST /v1/graphs</c>, and
/// registering it gives the same id.
/// </para>
/// </remarks>
internal sealed class CanonicalGraph
{
    /// <summary>What every id starts with.</summary>
    public const string IdPrefix = "sha256:";

    private CanonicalGraph(string id, ReadOnlyMemory<byte> json)
    {
        Id = id;
        Json = json;
    }

    /// <summary><c>sha256:</c> and 64 lowercase hex digits.</summary>
    public string Id { get; }

    /// <summary>The canonical JSON, UTF-8.</summary>
    public ReadOnlyMemory<byte> Json { get; }

    /// <summary>The canonical form of <paramref name="spec"/>, which compiled to <paramref name="tape"/> (for its output and seed).</summary>
    public static CanonicalGraph Of(GraphSpec spec, Tape tape)
    {
        var json = new ArrayBufferWriter<byte>(Math.Max(256, 48 * spec.NodeCount));
        CanonicalJson.Write(json, "{\"nodes\":["u8);
        for (int i = 0; i < spec.NodeCount; i++)
        {
            if (i > 0) CanonicalJson.Write(json, ","u8);
            CanonicalJson.Write(json, "{\"id\":"u8);
            CanonicalJson.WriteString(json, spec.IdUtf8(i));
            if (spec.HasInputs(i))
            {
                CanonicalJson.Write(json, ",\"inputs\":["u8);
                int start = spec.InputStart(i);
                for (int k = 0; k < spec.InputCountOf(i); k++)
                {
                    if (k > 0) CanonicalJson.Write(json, ","u8);
                    CanonicalJson.WriteString(json, spec.InputUtf8(start + k));
                }
                CanonicalJson.Write(json, "]"u8);
            }
            if (spec.Label(i) is { } label)
            {
                CanonicalJson.Write(json, ",\"label\":"u8);
                CanonicalJson.WriteString(json, label);
            }
            CanonicalJson.Write(json, ",\"op\":"u8);
            CanonicalJson.WriteString(json, spec.Op(i));
            if (spec.HasValue(i))
            {
                CanonicalJson.Write(json, ",\"value\":"u8);
                CanonicalJson.WriteNumber(json, spec.Value(i));
            }
            CanonicalJson.Write(json, "}"u8);
        }
        CanonicalJson.Write(json, "],\"output\":"u8);
        CanonicalJson.WriteString(json, tape.IdAt(tape.Output));
        CanonicalJson.Write(json, ",\"seed\":"u8);
        CanonicalJson.WriteNumber(json, tape.Seed);
        CanonicalJson.Write(json, "}"u8);
        return FromJson(json.WrittenSpan.ToArray());
    }

    /// <summary>A canonical graph from its bytes (as a store kept them), its id computed from them.</summary>
    public static CanonicalGraph FromJson(byte[] json) => new(IdOf(json), json);

    /// <summary><c>sha256:</c> and the lowercase hex SHA-256 of <paramref name="json"/>.</summary>
    public static string IdOf(ReadOnlySpan<byte> json) => IdPrefix + Convert.ToHexStringLower(SHA256.HashData(json));

    /// <summary>Whether <paramref name="id"/> has the shape of an id (it may still name no graph).</summary>
    public static bool IsWellFormed(string id) =>
        id.Length == IdPrefix.Length + 64 && id.StartsWith(IdPrefix, StringComparison.Ordinal)
        && id.AsSpan(IdPrefix.Length).IndexOfAnyExcept("0123456789abcdef") < 0;
}
