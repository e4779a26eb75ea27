namespace GradApi.Engine.Expressions;

internal enum TokenKind : byte
{
    End,
    Number,
    Name,
    Plus,
    Minus,
    Star,
    Slash,
    Caret,
    LeftParen,
    RightParen,
    Comma,

    /// <summary>A character that starts no token.</summary>
    BadCharacter,

    /// <summary>A number cut short: an exponent marker with no digits after it.</summary>
    BadNumber,
}

/// <summary>A token: its kind and where it sits in the text (<see cref="Start"/> is 0-based).</summary>
internal readonly record struct Token(TokenKind Kind, int Start, int Length)
{
    public int End => Start + Length;

    public int Column => Start + 1;
}

/// <summary>
/// Cuts an expression into tokens, one at a time, skipping white space. Numbers are
/// <c>12</c>, <c>1.5</c>, <c>.5</c>, <c>1.</c>, each with an optional exponent (<c>2e-3</c>);
/// names are an ASCII letter or <c>_</c> followed by ASCII letters, digits or <c>_</c>.
/// </summary>
internal sealed class ExpressionLexer(string text)
{
    private int _position;

    public Token Next()
    {
        while (_position < text.Length && char.IsWhiteSpace(text[_position])) _position++;
        int start = _position;
        if (start == text.Length) return new Token(TokenKind.End, start, 0);

        char c = text[start];
        if (char.IsAsciiDigit(c) || (c == '.' && start + 1 < text.Length && char.IsAsciiDigit(text[start + 1])))
            return Number(start);
        if (char.IsAsciiLetter(c) || c == '_')
        {
            _position++;
            while (_position < text.Length && (char.IsAsciiLetterOrDigit(text[_position]) || text[_position] == '_')) _position++;
            return new Token(TokenKind.Name, start, _position - start);
        }

        _position++;
        TokenKind kind = c switch
        {
            '+' => TokenKind.Plus,
            '-' => TokenKind.Minus,
            '*' => TokenKind.Star,
            '/' => TokenKind.Slash,
            '^' => TokenKind.Caret,
            '(' => TokenKind.LeftParen,
            ')' => TokenKind.RightParen,
            ',' => TokenKind.Comma,
            _ => TokenKind.BadCharacter,
        };
        return new Token(kind, start, 1);
    }

    /// <summary>Digits, an optional fraction, an optional exponent.</summary>
    private Token Number(int start)
    {
        SkipDigits();
        if (_position < text.Length && text[_position] == '.')
        {
            _position++;
            SkipDigits();
        }

        if (_position < text.Length && (text[_position] is 'e' or 'E'))
        {
            _position++;
            if (_position < text.Length && (text[_position] is '+' or '-')) _position++;
            if (_position == text.Length || !char.IsAsciiDigit(text[_position]))
                return new Token(TokenKind.BadNumber, start, _position - start);
            SkipDigits();
        }
        return new Token(TokenKind.Number, start, _position - start);
    }

    private void SkipDigits()
    {
        while (_position < text.Length && char.IsAsciiDigit(text[_position])) _position++;
    }
}
