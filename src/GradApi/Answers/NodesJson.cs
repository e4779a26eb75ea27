using System.Text.Json;
using GradApi.Engine.Evaluation;
using GradApi.Engine.Graphs;
using GradApi.Engine.Ops;

namespace GradApi.Answers;

/// <summary>
/// The elements of an evaluate answer's <c>nodes</c> array, <c>{"id":"x","op":"add","value":1,"grad":-4}</c>
/// and a <c>"label"</c> where the node has one, separated by commas: the array's contents, not its brackets.
/// Everything but the id, the numbers and the label is written from bytes encoded once.
/// </summary>
internal sealed class NodesJson(EvaluationResult evaluation) : IJsonPieces
{
    /// <summary>By op code: <c>","op":"NAME","value":</c>, what lies between a node's id and its value.</summary>
    private static readonly byte[][] OpPieces = EncodeOpPieces();

    private static readonly int LongestOpPiece = OpPieces.Max(piece => piece.Length);

    /// <summary>Room for the rest of a node bar its id, label and numbers: <c>,{"id":"</c>, <c>,"grad":</c>, <c>,"label":"</c>, <c>"}</c>.</summary>
    private const int FixedBytes = 32;

    private readonly GraphSpec _spec = evaluation.Tape.Spec;
    private int _next;

    public bool Done => _next == _spec.NodeCount;

    public int NextPieceBytes => MaxBytes(_next);

    public int Fill(Span<byte> destination)
    {
        int at = 0;
        for (; _next < _spec.NodeCount && destination.Length - at >= MaxBytes(_next); _next++)
            at = Write(_next, destination, at);
        return at;
    }

    private int Write(int node, Span<byte> destination, int at)
    {
        at = JsonPieces.Put(node == 0 ? "{\"id\":\""u8 : ",{\"id\":\""u8, destination, at);
        at = JsonPieces.Put(JsonPieces.Escaped(_spec.IdUtf8(node)), destination, at); // the bytes as sent: no string per node
        at = JsonPieces.Put(OpPieces[(int)evaluation.Tape.OpAt(evaluation.Tape.PositionOf(node))], destination, at);
        at = JsonPieces.PutNumber(evaluation.ValueOf(node), destination, at);
        at = JsonPieces.Put(",\"grad\":"u8, destination, at);
        at = JsonPieces.PutNumber(evaluation.GradOf(node), destination, at);
        if (_spec.Label(node) is { } label)
        {
            at = JsonPieces.Put(",\"label\":\""u8, destination, at);
            at = JsonPieces.Put(JsonEncodedText.Encode(label, JsonPieces.Encoder).EncodedUtf8Bytes, destination, at);
            at = JsonPieces.Put("\""u8, destination, at);
        }
        destination[at] = (byte)'}';
        return at + 1;
    }

    private int MaxBytes(int node) =>
        FixedBytes + LongestOpPiece + 2 * ShortestDouble.MaxLength
        + JsonPieces.MaxEscapedBytesPerChar * (_spec.IdUtf8(node).Length + (_spec.Label(node)?.Length ?? 0));

    private static byte[][] EncodeOpPieces()
    {
        var pieces = new byte[OpTable.All.Count][];
        foreach (Op op in OpTable.All)
            pieces[(int)op.Code] = [.. "\",\"op\":\""u8, .. JsonEncodedText.Encode(op.Name, JsonPieces.Encoder).EncodedUtf8Bytes, .. "\",\"value\":"u8];
        return pieces;
    }
}
