namespace GradApi.Answers;

/// <summary>
/// A run of an answer written as raw UTF-8 rather than call by call through <c>Utf8JsonWriter</c>: the
/// elements of a long array, each a piece whose largest size is known before it is written.
/// </summary>
internal interface IJsonPieces
{
    /// <summary>Whether every piece is written.</summary>
    bool Done { get; }

    /// <summary>The most bytes the next piece can take.</summary>
    int NextPieceBytes { get; }

    /// <summary>
    /// Writes as many whole pieces as fit in <paramref name="destination"/> and returns how many bytes they
    /// took; at least one when <paramref name="destination"/> has <see cref="NextPieceBytes"/>.
    /// </summary>
    int Fill(Span<byte> destination);
}
