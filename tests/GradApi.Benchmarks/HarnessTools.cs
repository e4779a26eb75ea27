using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace GradApi.Benchmarks;

/// <summary>
/// The console's helpers for tests/load/bigdag.sh, beside BenchmarkDotNet:
/// <c>gen N FILE</c> writes <see cref="RandomGraphs.Dag"/> of N nodes as an evaluate body, and
/// <c>parse FILE [RUNS]</c> times <see cref="JsonDocument.Parse(ReadOnlyMemory{byte}, JsonDocumentOptions)"/>
/// of the file's bytes RUNS times in this one process, the first run cold (JIT, fresh memory), and
/// prints one line per run: <c>parse RUN MILLISECONDS</c>.
/// </summary>
public static class HarnessTools
{
    public static bool TryRun(string[] args)
    {
        switch (args)
        {
            case ["gen", string nodes, string file]:
                byte[] body = GraphJson.Serialize(RandomGraphs.Dag(int.Parse(nodes, CultureInfo.InvariantCulture)));
                File.WriteAllBytes(file, body);
                Console.WriteLine($"gen {body.Length} bytes");
                return true;
            case ["parse", string file, .. string[] rest]:
                Parse(File.ReadAllBytes(file), rest is [string runs] ? int.Parse(runs, CultureInfo.InvariantCulture) : 5);
                return true;
            default:
                return false;
        }
    }

    /// <summary>The floor: what the bare parse endpoint of tests/GradApi.LoadBaseline does, without HTTP.</summary>
    private static void Parse(byte[] body, int runs)
    {
        for (int run = 1; run <= runs; run++)
        {
            long start = Stopwatch.GetTimestamp();
            using (JsonDocument document = JsonDocument.Parse(body))
            {
                if (document.RootElement.GetProperty("nodes").GetArrayLength() == 0) throw new InvalidDataException("no nodes");
            }
            double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"parse {run} {ms:0.0}"));
        }
    }
}
