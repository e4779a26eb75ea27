using GradApi.Engine.Batching;

namespace GradApi.Answers;

/// <summary>
/// The elements of one of a batch answer's number arrays, <c>0.73,0.5,...</c>: the values (<c>grad</c>
/// null) or the grads of one node (its index among the grads asked for), one number per sample.
/// </summary>
internal sealed class BatchNumbersJson(BatchResult result, int? grad) : IJsonPieces
{
    /// <summary>A number and the comma before it.</summary>
    private const int MaxPieceBytes = ShortestDouble.MaxLength + 1;

    public int Count => result.Size;

    public int Next { get; set; }

    public int NextPieceBytes => MaxPieceBytes;

    public int Fill(Span<byte> destination, int end)
    {
        ReadOnlySpan<double> numbers = grad is { } k ? result.Grad(k) : result.Values;
        int at = 0;
        int next = Next;
        for (; next < end && destination.Length - at >= MaxPieceBytes; next++)
        {
            if (next > 0) destination[at++] = (byte)',';
            at = JsonPieces.PutNumber(numbers[next], destination, at);
        }
        Next = next;
        return at;
    }

    public IJsonPieces Copy() => new BatchNumbersJson(result, grad);
}
