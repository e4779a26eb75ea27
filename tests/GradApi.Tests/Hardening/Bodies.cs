using System.Text;

namespace GradApi.Tests.Hardening;

/// <summary>Request bodies built as UTF-8 bytes, fast enough for a million nodes.</summary>
internal static class Bodies
{
    /// <summary>x, then a chain of <paramref name="length"/> sin gates: length + 1 nodes.</summary>
    public static byte[] SinChain(int length)
    {
        var json = new StringBuilder(length * 48 + 64);
        json.Append("""{"nodes":[{"id":"x","op":"input","value":0.1}""");
        for (int i = 1; i <= length; i++)
            json.Append(",{\"id\":\"s").Append(i).Append("\",\"op\":\"sin\",\"inputs\":[\"")
                .Append(i == 1 ? "x" : "s" + (i - 1)).Append("\"]}");
        json.Append("]}");
        return Encoding.UTF8.GetBytes(json.ToString());
    }

    /// <summary>
    /// The same chain listed from its last node to its first, each node naming the one after it: a body not in order,
    /// whose compile cannot start during the parse and runs after it, the general way.
    /// </summary>
    public static byte[] SinChainListedBackwards(int length)
    {
        var json = new StringBuilder(length * 48 + 64);
        json.Append("""{"nodes":[""");
        for (int i = length; i >= 1; i--)
            json.Append("{\"id\":\"s").Append(i).Append("\",\"op\":\"sin\",\"inputs\":[\"")
                .Append(i == 1 ? "x" : "s" + (i - 1)).Append("\"]},");
        json.Append("""{"id":"x","op":"input","value":0.1}]}""");
        return Encoding.UTF8.GetBytes(json.ToString());
    }

    /// <summary>A sin chain whose body is at least <paramref name="bytes"/> long.</summary>
    public static byte[] AtLeast(int bytes) => SinChain(bytes / 40 + 1);

    public static ByteArrayContent Json(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new("application/json");
        return content;
    }
}
