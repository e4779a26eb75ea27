using System.Diagnostics;
using System.Globalization;

namespace GradApi.Evaluate;

/// <summary>
/// The W3C Server-Timing header of an evaluate answer: each stage that ran, with its duration in
/// milliseconds (<c>read;dur=0.021, parse;dur=0.034, compile;dur=0.012, forward;dur=0.002</c>), so any
/// client sees where the time went. The header is rewritten as each stage ends, so an answer that
/// stops early (a 422) names only the stages that ran. It ends with <c>gc</c>: how long the process's
/// garbage collector paused it since the body began to be read, a part of the stages' durations (and,
/// with requests in parallel, of theirs too). The body is streamed after the headers, so the
/// time spent writing it follows the body, as a Server-Timing trailer where the connection carries
/// trailers (see <see cref="EvaluationJsonResult"/>).
/// </summary>
internal sealed class ServerTiming(HttpResponse response, TimeSpan gcPausesAtStart)
{
    public const string HeaderName = "Server-Timing";

    private string _value = "";

    /// <summary>Adds a stage that took <paramref name="duration"/>.</summary>
    public void Add(string stage, TimeSpan duration)
    {
        string metric = Metric(stage, duration);
        _value = _value.Length == 0 ? metric : $"{_value}, {metric}";
        response.Headers[HeaderName] = $"{_value}, {Metric("gc", GC.GetTotalPauseDuration() - gcPausesAtStart)}";
    }

    /// <summary>Adds a stage that ran from <paramref name="start"/> (a <see cref="Stopwatch"/> timestamp) until now.</summary>
    public void Since(string stage, long start) => Add(stage, Stopwatch.GetElapsedTime(start));

    /// <summary>One metric, <c>name;dur=milliseconds</c>, in the invariant culture.</summary>
    public static string Metric(string stage, TimeSpan duration) =>
        string.Create(CultureInfo.InvariantCulture, $"{stage};dur={duration.TotalMilliseconds:0.###}");
}
