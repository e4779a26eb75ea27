using System.Globalization;

namespace GradApi.Engine.Evaluation;

public enum Pass
{
    Forward,
    Backward,
}

/// <summary>
/// The first node, in the order the pass ran, whose value (forward) or grad (backward) came out
/// NaN or infinite: which node, its op, and the input values it was computed from.
/// </summary>
public sealed record NumericError(int NodeIndex, string NodeId, string Op, Pass Pass, double Result, double[] InputValues)
{
    public string Message
    {
        get
        {
            string what = Pass == Pass.Forward ? "value" : "gradient";
            string inputs = string.Join(", ", InputValues.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
            return $"Node '{NodeId}' ({Op}) has a non-finite {what} ({Describe(Result)}) in the {Pass.ToString().ToLowerInvariant()} pass; its inputs' values: [{inputs}].";
        }
    }

    private static string Describe(double v) =>
        double.IsNaN(v) ? "NaN" : double.IsPositiveInfinity(v) ? "+Infinity" : "-Infinity";
}
