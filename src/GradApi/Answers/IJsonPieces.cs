namespace GradApi.Answers;

/// <summary>
/// A run of an answer written as raw UTF-8 rather than call by call through <c>Utf8JsonWriter</c>: the
/// elements of a long array, each a piece whose largest size is known before it is written. An instance is a
/// cursor (and the scratch it formats with) for one thread; <see cref="Copy"/> gives another thread its own, so
/// that parts of a long run can be written at once (<see cref="ParallelChunks"/>).
/// </summary>
internal interface IJsonPieces
{
    /// <summary>How many pieces there are.</summary>
    int Count { get; }

    /// <summary>The next piece <see cref="Fill"/> writes; set it to write from any piece on.</summary>
    int Next { get; set; }

    /// <summary>The most bytes piece <see cref="Next"/> can take.</summary>
    int NextPieceBytes { get; }

    /// <summary>
    /// Writes as many whole pieces from <see cref="Next"/> on, and before <paramref name="end"/>, as fit in
    /// <paramref name="destination"/>, moves <see cref="Next"/> past them and returns how many bytes they took;
    /// at least one piece when <paramref name="destination"/> has <see cref="NextPieceBytes"/>. A piece's bytes
    /// do not depend on what was written before it, nor on which cursor writes it.
    /// </summary>
    int Fill(Span<byte> destination, int end);

    /// <summary>A cursor of its own over the same pieces, for another thread.</summary>
    IJsonPieces Copy();
}
