using System.Globalization;
using System.Text.RegularExpressions;

namespace GradApi.Tests.Observability;

/// <summary>
/// A scrape in Prometheus's text exposition format (version 0.0.4), read strictly: every line is a HELP or TYPE
/// comment or a sample <c>name{label="value",...} value</c>, every sample belongs to a family whose TYPE came first,
/// and every histogram has its +Inf bucket, _sum and _count. Reading one that breaks a rule throws, saying which line.
/// </summary>
internal sealed partial class PrometheusText
{
    private readonly List<(string Name, Dictionary<string, string> Labels, double Value)> _samples = [];

    private PrometheusText()
    {
    }

    public Dictionary<string, string> Types { get; } = [];

    public static PrometheusText Parse(string text)
    {
        var scrape = new PrometheusText();
        string[] lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i];
            if (line.Length == 0) continue;
            if (Comment().Match(line) is { Success: true } comment)
            {
                if (comment.Groups["kind"].Value == "TYPE") scrape.Types[comment.Groups["name"].Value] = comment.Groups["rest"].Value;
                continue;
            }
            Match sample = Sample().Match(line);
            if (!sample.Success) throw new FormatException($"line {i + 1} is not a sample nor a comment: {line}");
            string name = sample.Groups["name"].Value;
            if (scrape.FamilyOf(name) is null) throw new FormatException($"line {i + 1}: {name} has no TYPE before it");
            var labels = sample.Groups["label"].Captures.Zip(sample.Groups["labelValue"].Captures)
                .ToDictionary(l => l.First.Value, l => Regex.Unescape(l.Second.Value));
            scrape._samples.Add((name, labels, ParseValue(sample.Groups["value"].Value)));
        }
        foreach ((string family, string type) in scrape.Types.Where(t => t.Value == "histogram"))
        {
            bool used = scrape._samples.Any(s => s.Name.StartsWith(family, StringComparison.Ordinal));
            if (used && (!scrape._samples.Any(s => s.Name == family + "_bucket" && s.Labels.GetValueOrDefault("le") == "+Inf")
                || !scrape._samples.Any(s => s.Name == family + "_sum") || !scrape._samples.Any(s => s.Name == family + "_count")))
                throw new FormatException($"histogram {family} lacks its +Inf bucket, _sum or _count");
        }
        return scrape;
    }

    /// <summary>The sum of the samples of <paramref name="name"/> whose labels include <paramref name="labels"/>.</summary>
    public double Sum(string name, params (string Label, string Value)[] labels) =>
        _samples.Where(s => s.Name == name && labels.All(l => s.Labels.GetValueOrDefault(l.Label) == l.Value)).Sum(s => s.Value);

    public bool Has(string name) => _samples.Any(s => s.Name == name);

    private string? FamilyOf(string sample) =>
        Types.ContainsKey(sample) ? sample
        : new[] { "_bucket", "_sum", "_count", "_total", "_created" }
            .Where(suffix => sample.EndsWith(suffix, StringComparison.Ordinal))
            .Select(suffix => sample[..^suffix.Length])
            .FirstOrDefault(Types.ContainsKey);

    private static double ParseValue(string text) => text switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
    };

    [GeneratedRegex("""^# (?<kind>HELP|TYPE) (?<name>[a-zA-Z_:][a-zA-Z0-9_:]*) (?<rest>.*)$""")]
    private static partial Regex Comment();

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{((?<label>[a-zA-Z_][a-zA-Z0-9_]*)="(?<labelValue>(\\.|[^"\\])*)",?)*\})? (?<value>[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?|[-+]?Inf|NaN)( -?\d+)?$""")]
    private static partial Regex Sample();
}
