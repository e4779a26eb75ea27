namespace GradApi.Tests.Hardening.Fuzz;

/// <summary>
/// A valid body sent the wrong way: another media type or charset, an unknown query option, a
/// verb the endpoint does not take, or padded past the body limit.
/// </summary>
internal static class RequestFaults
{
    private static readonly string?[] WrongMediaTypes =
    [
        null, "text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
        "application/json; charset=latin1", "application/json; charset=utf-16", "text/json; charset=ascii", "application/octet-stream", "*/*",
    ];

    private static readonly (string Query, string Path)[] WrongOptions =
    [
        ("?mode=eval", "mode"), ("?mode=", "mode"), ("?explain=1", "explain"), ("?explain=yes", "explain"), ("?check=analytic", "check"),
        ("?mode=inference&explain=true", "explain"), ("?mode=inference&check=numeric", "check"), ("?mode=training%00", "mode"),
        ("?mode=training&mode=training", "mode"), ("?explain=true&explain=true", "explain"), ("?mode=%FF", "mode"), ("?check=%ZZ", "check"),
    ];

    private static readonly string[] WrongFormats = ["png", "", "SVG2", "dot;", "svg,dot"];

    private static readonly HttpMethod[] WrongVerbs = [HttpMethod.Get, HttpMethod.Put, HttpMethod.Delete, HttpMethod.Patch];

    public static FuzzCase Faulty(Random rng, IReadOnlyList<FuzzOp> ops)
    {
        FuzzGraph graph = FuzzCases.RandomGraph(rng, ops, small: true);
        byte[] body = FuzzCase.Bytes(graph.ToJson(rng));
        switch (rng.Next(9) / 2) // the padded body, the costliest, one time in nine
        {
            case 0:
            {
                string? mediaType = WrongMediaTypes[rng.Next(WrongMediaTypes.Length)];
                return FuzzCase.Post("wrong media type", FuzzCase.AnyUrl(rng), body, r => r.Expect(415), mediaType);
            }
            case 1:
            {
                var (query, path) = WrongOptions[rng.Next(WrongOptions.Length)];
                return FuzzCase.Post("wrong option", "/v1/evaluate" + query, body, r => r.ExpectError(path));
            }
            case 2:
            {
                string format = WrongFormats[rng.Next(WrongFormats.Length)];
                return FuzzCase.Post("wrong format", "/v1/render?format=" + Uri.EscapeDataString(format), body, r =>
                {
                    if (format.Length == 0) r.Expect(200, 400, 422); // an empty format may mean the default
                    else r.ExpectError("format");
                });
            }
            case 3:
            {
                HttpMethod method = WrongVerbs[rng.Next(WrongVerbs.Length)];
                return new FuzzCase("wrong verb", method, FuzzCase.AnyUrl(rng), body, "application/json", r => r.Expect(405));
            }
            default:
            {
                // Valid JSON padded with white space past MaxBodyBytes.
                byte[] padded = new byte[FuzzLimits.MaxBodyBytes + 1 + rng.Next(1_000)];
                Array.Fill(padded, (byte)' ');
                body.CopyTo(padded, 0);
                return FuzzCase.Post("past the body limit", FuzzCase.AnyUrl(rng), padded, r => r.Expect(413));
            }
        }
    }
}
