using System.Globalization;

namespace GradApi.Engine.Evaluation;

public enum Pass
{
    Forward,
    Backward,
}

/// <summary>
/// The first place, in the order the pass ran, where a number came out NaN or infinite: in the
/// forward pass a node's value; in the backward pass the gradient a gate sent back to one of its
/// inputs (<see cref="Input"/>). Names the node, its op, and the input values it was computed from.
/// </summary>
public sealed record NumericError(int NodeIndex, string NodeId, string Op, Pass Pass, double Result, double[] InputValues)
{
    /// <summary>Backward only: the input the non-finite gradient flowed to.</summary>
    public string? Input { get; init; }

    public string Message
    {
        get
        {
            string inputs = string.Join(", ", InputValues.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
            return Pass == Pass.Forward
                ? $"Node '{NodeId}' ({Op}) has a non-finite value ({Describe(Result)}) in the forward pass; its inputs' values: [{inputs}]."
                : $"Node '{NodeId}' ({Op}) sends a non-finite gradient ({Describe(Result)}) to its input '{Input}' in the backward pass; its inputs' values: [{inputs}].";
        }
    }

    private static string Describe(double v) =>
        double.IsNaN(v) ? "NaN" : double.IsPositiveInfinity(v) ? "+Infinity" : "-Infinity";
}
