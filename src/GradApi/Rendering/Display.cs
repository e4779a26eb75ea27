using System.Globalization;
using System.Text;

namespace GradApi.Rendering;

/// <summary>How the pictures write numbers and clip text: the same everywhere, whatever the server's culture.</summary>
internal static class Display
{
    /// <summary>The longest heading shown in a node; the full text is in its tooltip.</summary>
    public const int MaxTitleLength = 40;

    /// <summary>A number to show: 4 significant digits (-0.1966, 0.7311, 1.235E+06); 0 never has a sign.</summary>
    public static string Number(double value) =>
        value == 0 ? "0" : value.ToString("G4", CultureInfo.InvariantCulture);

    /// <summary>A number in full, as JSON would write it, for tooltips.</summary>
    public static string Full(double value) =>
        value == 0 ? "0" : value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>A coordinate, to a tenth of a pixel.</summary>
    public static string Coordinate(double value)
    {
        double rounded = Math.Round(value, 1, MidpointRounding.AwayFromZero);
        return rounded == 0 ? "0" : rounded.ToString("0.#", CultureInfo.InvariantCulture);
    }

    /// <summary>The text, cut to <paramref name="max"/> characters with an ellipsis, never inside a surrogate pair.</summary>
    public static string Clip(string text, int max = MaxTitleLength)
    {
        if (text.Length <= max) return text;
        int cut = max - 1;
        if (char.IsHighSurrogate(text[cut - 1])) cut--;
        return string.Concat(text.AsSpan(0, cut), "\u2026");
    }

    /// <summary>The width of the text in characters as a monospace font draws it (one per code point).</summary>
    public static int Columns(string text)
    {
        int columns = 0;
        foreach (Rune _ in text.EnumerateRunes()) columns++;
        return columns;
    }
}
