using System.Text;

namespace GradApi.Rendering;

/// <summary>
/// Escapes user text (ids, labels, op names) for each picture format. Characters a format cannot
/// carry at all (control characters and lone surrogates in XML) become U+FFFD.
/// </summary>
internal static class Escape
{
    /// <summary>For XML text and attribute values (SVG, and Graphviz's HTML-like labels).</summary>
    public static string Xml(string text)
    {
        var builder = new StringBuilder(text.Length + 8);
        foreach (Rune rune in text.EnumerateRunes())
        {
            switch (rune.Value)
            {
                case '&': builder.Append("&amp;"); break;
                case '<': builder.Append("&lt;"); break;
                case '>': builder.Append("&gt;"); break;
                case '"': builder.Append("&quot;"); break;
                case '\'': builder.Append("&#39;"); break;
                // As references, so an attribute value keeps them (a parser turns a literal one into a space).
                case '\n': builder.Append("&#10;"); break;
                case '\r': builder.Append("&#13;"); break;
                case '\t': builder.Append("&#9;"); break;
                default:
                    builder.Append(IsXmlChar(rune) ? rune : Rune.ReplacementChar);
                    break;
            }
        }
        return builder.ToString();
    }

    /// <summary>
    /// For a Mermaid label in double quotes, which Mermaid renders as HTML: the characters HTML
    /// gives meaning to, and the quote that would end the label, become named entities; so do
    /// <c>#</c> (Mermaid reads <c>#name;</c> as its own entity code, which current versions no longer
    /// decode) and the backtick (which starts a Markdown string). Control characters become U+FFFD.
    /// </summary>
    public static string Mermaid(string text)
    {
        var builder = new StringBuilder(text.Length + 8);
        foreach (Rune rune in text.EnumerateRunes())
        {
            switch (rune.Value)
            {
                case '&': builder.Append("&amp;"); break;
                case '<': builder.Append("&lt;"); break;
                case '>': builder.Append("&gt;"); break;
                case '"': builder.Append("&quot;"); break;
                case '#': builder.Append("&num;"); break;
                case '`': builder.Append("&grave;"); break;
                default:
                    builder.Append(Rune.IsControl(rune) ? Rune.ReplacementChar : rune);
                    break;
            }
        }
        return builder.ToString();
    }

    /// <summary>XML 1.0's Char production: tab, line feed, carriage return, and everything from space up but U+FFFE and U+FFFF.</summary>
    private static bool IsXmlChar(Rune rune) =>
        rune.Value is '\t' or '\n' or '\r' or (>= 0x20 and <= 0xD7FF) or (>= 0xE000 and <= 0xFFFD) or (>= 0x10000 and <= 0x10FFFF);
}
