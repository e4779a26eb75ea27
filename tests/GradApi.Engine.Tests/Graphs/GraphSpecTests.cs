using GradApi.Engine.Graphs;

namespace GradApi.Engine.Tests.Graphs;

public class GraphSpecTests
{
    /// <summary>
    /// Every node count around the pool's power-of-two sizes, from capacities that round up alike
    /// and apart: the per-node arrays and the one-longer input starts must grow in step.
    /// </summary>
    [Theory]
    [InlineData(0, 0, 0)]
    [InlineData(16, 16, 0)]
    [InlineData(100, 10, 0)]
    [InlineData(127, 1, 5)]
    [InlineData(128, 300, 1000)]
    public void AddNode_PastEveryCapacity_KeepsEveryNodeAndInput(int nodeCapacity, int inputCapacity, int textCapacity)
    {
        using var spec = new GraphSpec(nodeCapacity, inputCapacity, textCapacity);
        const int Nodes = 1100;
        for (int i = 0; i < Nodes; i++)
        {
            if (i % 3 == 0) spec.AddNode($"n{i}", "input", i, null);
            else spec.AddNode($"n{i}", i % 3 == 1 ? "add" : "frobnicate", null, [$"n{i - 1}", $"n{i / 2}"], label: i % 7 == 0 ? $"l{i}" : null);
        }

        Assert.Equal(Nodes, spec.NodeCount);
        Assert.Equal(2 * (Nodes - (Nodes + 2) / 3), spec.InputCount);
        for (int i = 0; i < Nodes; i++)
        {
            Assert.Equal($"n{i}", spec.Id(i));
            Assert.Equal(i % 3 == 0 ? "input" : i % 3 == 1 ? "add" : "frobnicate", spec.Op(i));
            Assert.Equal(i % 3 == 0, spec.HasValue(i));
            Assert.Equal(i % 3 != 0, spec.HasInputs(i));
            Assert.Equal(i % 3 == 0 ? i : 0, spec.Value(i));
            Assert.Equal(i % 3 != 0 && i % 7 == 0 ? $"l{i}" : null, spec.Label(i));
            if (i % 3 == 0)
            {
                Assert.Equal(0, spec.InputCountOf(i));
                continue;
            }
            Assert.Equal([$"n{i - 1}", $"n{i / 2}"], [spec.Input(i, 0), spec.Input(i, 1)]);
        }
    }
}
