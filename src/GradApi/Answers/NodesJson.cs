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
/// <remarks>
/// The nodes are written in the request's order, but the engine keeps values and grads in the tape's order: at
/// 10^6 nodes each node's value and grad are two cache misses. Read one at a time between the formatting of
/// numbers, they wait on memory one after the other (at 10^6 nodes that took longer than the formatting); so
/// the value, grad and op of a block of nodes are first gathered in a tight loop, whose loads overlap.
/// </remarks>
internal sealed class NodesJson(EvaluationResult evaluation) : IJsonPieces
{
    /// <summary>By op code: <c>","op":"NAME","value":</c>, what lies between a node's id and its value.</summary>
    private static readonly byte[][] OpPieces = EncodeOpPieces();

    private static readonly int LongestOpPiece = OpPieces.Max(piece => piece.Length);

    /// <summary>Room for the rest of a node bar its id, label and numbers: <c>,{"id":"</c>, <c>,"grad":</c>, <c>,"label":"</c>, <c>"}</c>.</summary>
    private const int FixedBytes = 32;

    /// <summary>How many nodes are gathered at once: their values, grads and ops fit in the L1 cache.</summary>
    private const int Block = 512;

    private readonly GraphSpec _spec = evaluation.Tape.Spec;
    private readonly double[] _values = new double[Math.Min(Block, evaluation.Tape.Spec.NodeCount)];
    private readonly double[] _grads = new double[Math.Min(Block, evaluation.Tape.Spec.NodeCount)];
    private readonly OpCode[] _ops = new OpCode[Math.Min(Block, evaluation.Tape.Spec.NodeCount)];
    private int _blockStart;
    private int _blockEnd;
    private int _next;

    public int Count => _spec.NodeCount;

    public int Next
    {
        get => _next;
        set => _next = _blockStart = _blockEnd = value; // the block gathered is left behind
    }

    public int NextPieceBytes => MaxBytes(_spec.IdUtf8(_next), _spec.Label(_next));

    public int Fill(Span<byte> destination, int end)
    {
        int at = 0;
        for (; _next < end; _next++)
        {
            ReadOnlySpan<byte> id = _spec.IdUtf8(_next);
            string? label = _spec.Label(_next);
            if (destination.Length - at < MaxBytes(id, label)) break;
            if (_next == _blockEnd) Gather(end);
            at = Write(_next, id, label, destination, at);
        }
        return at;
    }

    public IJsonPieces Copy() => new NodesJson(evaluation);

    /// <summary>
    /// Reads the value, grad and op of the block of nodes from <see cref="_next"/> on, and before
    /// <paramref name="end"/>: a part of the answer written on another thread is not gathered here.
    /// </summary>
    private void Gather(int end)
    {
        _blockStart = _next;
        _blockEnd = Math.Min(_next + Block, end);
        for (int node = _blockStart; node < _blockEnd; node++)
        {
            _values[node - _blockStart] = evaluation.ValueOf(node);
            _grads[node - _blockStart] = evaluation.GradOf(node);
            _ops[node - _blockStart] = evaluation.Tape.OpAt(evaluation.Tape.PositionOf(node));
        }
    }

    private int Write(int node, ReadOnlySpan<byte> id, string? label, Span<byte> destination, int at)
    {
        int k = node - _blockStart;
        at = JsonPieces.Put(node == 0 ? "{\"id\":\""u8 : ",{\"id\":\""u8, destination, at);
        at = JsonPieces.Put(JsonPieces.Escaped(id), destination, at); // the bytes as sent: no string per node
        at = JsonPieces.Put(OpPieces[(int)_ops[k]], destination, at);
        at = JsonPieces.PutNumber(_values[k], destination, at);
        at = JsonPieces.Put(",\"grad\":"u8, destination, at);
        at = JsonPieces.PutNumber(_grads[k], destination, at);
        if (label is not null)
        {
            at = JsonPieces.Put(",\"label\":\""u8, destination, at);
            at = JsonPieces.Put(JsonEncodedText.Encode(label, JsonPieces.Encoder).EncodedUtf8Bytes, destination, at);
            at = JsonPieces.Put("\""u8, destination, at);
        }
        destination[at] = (byte)'}';
        return at + 1;
    }

    private static int MaxBytes(ReadOnlySpan<byte> id, string? label) =>
        FixedBytes + LongestOpPiece + 2 * ShortestDouble.MaxLength
        + JsonPieces.MaxEscapedBytesPerChar * (id.Length + (label?.Length ?? 0));

    private static byte[][] EncodeOpPieces()
    {
        var pieces = new byte[OpTable.All.Count][];
        foreach (Op op in OpTable.All)
            pieces[(int)op.Code] = [.. "\",\"op\":\""u8, .. JsonEncodedText.Encode(op.Name, JsonPieces.Encoder).EncodedUtf8Bytes, .. "\",\"value\":"u8];
        return pieces;
    }
}
