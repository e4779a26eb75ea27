namespace GradApi.Tests.Infrastructure;

/// <summary>The worked examples of the CS231n backpropagation notes, as request bodies.</summary>
internal static class Graphs
{
    /// <summary>f = (x + y) * z at x = -2, y = 5, z = -4, with q = x + y.</summary>
    public const string AddMul = """
        {"nodes": [
          {"id": "x", "op": "input", "value": -2},
          {"id": "y", "op": "input", "value": 5},
          {"id": "z", "op": "input", "value": -4},
          {"id": "q", "op": "add", "inputs": ["x", "y"]},
          {"id": "f", "op": "mul", "inputs": ["q", "z"]}],
         "output": "f"}
        """;

    /// <summary>f = sigmoid(w0*x0 + w1*x1 + w2) at w = (2, -3, -3), x = (-1, -2), sigmoid as one gate.</summary>
    public const string SigmoidNeuron = """
        {"nodes": [
          {"id": "w0", "op": "input", "value": 2},
          {"id": "x0", "op": "input", "value": -1},
          {"id": "w1", "op": "input", "value": -3},
          {"id": "x1", "op": "input", "value": -2},
          {"id": "w2", "op": "input", "value": -3},
          {"id": "a", "op": "mul", "inputs": ["w0", "x0"]},
          {"id": "b", "op": "mul", "inputs": ["w1", "x1"]},
          {"id": "d", "op": "add", "inputs": ["a", "b", "w2"]},
          {"id": "f", "op": "sigmoid", "inputs": ["d"]}]}
        """;

    /// <summary>A chain x -> sin -> sin -> ... of <paramref name="length"/> gates.</summary>
    public static string SinChain(int length, double x)
    {
        var nodes = new List<object> { new { id = "x", op = "input", value = x } };
        for (int i = 1; i <= length; i++)
            nodes.Add(new { id = $"s{i}", op = "sin", inputs = new[] { i == 1 ? "x" : $"s{i - 1}" } });
        return Http.Serialize(new { nodes });
    }
}
