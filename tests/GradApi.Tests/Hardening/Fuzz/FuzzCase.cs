using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace GradApi.Tests.Hardening.Fuzz;

/// <summary>One generated request and what its answer must be, over and above <see cref="FuzzResponse.CheckContract"/>.</summary>
internal sealed record FuzzCase(string Kind, HttpMethod Method, string Url, byte[] Body, string? ContentType, Action<FuzzResponse> Check)
{
    public static readonly string[] Formats = ["svg", "dot", "mermaid"];

    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static byte[] Bytes(JsonNode body) => Encoding.UTF8.GetBytes(body.ToJsonString(Relaxed));

    public static string Json(JsonNode body) => body.ToJsonString(Relaxed);

    public static FuzzCase Post(string kind, string url, byte[] body, Action<FuzzResponse> check, string? contentType = "application/json") =>
        new(kind, HttpMethod.Post, url, body, contentType, check);

    /// <summary>Where a body goes: mostly evaluate, with random options; sometimes parse or render.</summary>
    public static (string Url, Action<GraphAnswers, FuzzResponse> Check) Endpoint(Random rng)
    {
        double pick = rng.NextDouble();
        if (pick < 0.12) return ("/v1/parse", (answers, response) => answers.CheckParse(response));
        if (pick < 0.18)
        {
            string format = Formats[rng.Next(Formats.Length)];
            return ($"/v1/render?format={format}", (answers, response) => answers.CheckRender(response, format));
        }
        EvaluateOptions options = EvaluateOptions.Pick(rng);
        return ($"/v1/evaluate{options.Query}", (answers, response) => answers.CheckEvaluate(response, options));
    }

    /// <summary>A URL for a body whose answer does not depend on where it goes (an error found while reading it).</summary>
    public static string AnyUrl(Random rng) => rng.Next(10) switch
    {
        < 6 => "/v1/evaluate" + EvaluateOptions.Pick(rng).Query,
        < 8 => "/v1/parse",
        _ => "/v1/render?format=" + Formats[rng.Next(Formats.Length)],
    };
}
