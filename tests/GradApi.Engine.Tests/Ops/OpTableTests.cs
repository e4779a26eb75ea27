using GradApi.Engine.Ops;

namespace GradApi.Engine.Tests.Ops;

public sealed class OpTableTests
{
    /// <summary>The ops table of the wire contract (API.md, section 1): name, min arity, max arity.</summary>
    private static readonly (string Name, int Min, int Max)[] Contract =
    [
        ("input", 0, 0), ("const", 0, 0),
        ("add", 2, int.MaxValue), ("sub", 2, 2), ("mul", 2, int.MaxValue), ("div", 2, 2),
        ("neg", 1, 1), ("inv", 1, 1), ("pow", 2, 2), ("exp", 1, 1), ("log", 1, 1), ("sqrt", 1, 1),
        ("sigmoid", 1, 1), ("tanh", 1, 1), ("relu", 1, 1), ("abs", 1, 1), ("sin", 1, 1), ("cos", 1, 1),
        ("max", 2, int.MaxValue), ("min", 2, int.MaxValue),
    ];

    [Fact]
    public void Table_HasExactlyOneEntryForEveryOpCode()
    {
        foreach (OpCode code in Enum.GetValues<OpCode>())
        {
            Assert.Single(OpTable.All, op => op.Code == code);
            Assert.Equal(code, OpTable.Get(code).Code);
        }
        Assert.Equal(Enum.GetValues<OpCode>().Length, OpTable.All.Count);
    }

    [Fact]
    public void Table_NamesAreUniqueAndFoundByName()
    {
        var names = OpTable.All.Select(op => op.Name).ToList();
        Assert.Equal(names.Count, names.Distinct(StringComparer.Ordinal).Count());
        foreach (Op op in OpTable.All)
        {
            Assert.True(OpTable.TryGet(op.Name, out Op? found), $"TryGet('{op.Name}') failed.");
            Assert.Same(op, found);
        }
        Assert.Equal(names, OpTable.Names);
    }

    [Fact]
    public void Table_HoldsEveryOpOfTheContractWithItsArity()
    {
        foreach (var (name, min, max) in Contract)
        {
            Assert.True(OpTable.TryGet(name, out Op? op), $"The contract's op '{name}' is missing from the table.");
            Assert.Equal((min, max), (op.MinArity, op.MaxArity));
        }
    }

    [Fact]
    public void Table_LeavesAreExactlyInputAndConst()
    {
        Assert.Equal(["const", "input"], OpTable.All.Where(op => op.IsLeaf).Select(op => op.Name).Order(StringComparer.Ordinal));
        Assert.All(OpTable.All.Where(op => !op.IsLeaf), op => Assert.True(op.MinArity >= 1, op.Name));
    }

    [Theory]
    [InlineData("add", 1, false)]
    [InlineData("add", 2, true)]
    [InlineData("add", 50, true)]
    [InlineData("sub", 3, false)]
    [InlineData("neg", 0, false)]
    [InlineData("neg", 1, true)]
    [InlineData("input", 0, true)]
    [InlineData("input", 1, false)]
    public void AcceptsArity_FollowsTheContract(string name, int count, bool accepted)
    {
        Assert.True(OpTable.TryGet(name, out Op? op));
        Assert.Equal(accepted, op.AcceptsArity(count));
    }

    [Fact]
    public void TryGet_UnknownName_ReturnsFalse()
    {
        Assert.False(OpTable.TryGet("softmax", out _));
        Assert.False(OpTable.TryGet("", out _));
    }

    /// <summary>
    /// The ops whose local gradients the batch engine takes as constants (keeping no row for them)
    /// are exactly those whose local-gradient rule gives the same numbers at any inputs.
    /// </summary>
    [Fact]
    public void ConstantLocals_AreWhatTheLocalGradientRulesGiveAtAnyInputs()
    {
        var rng = new Random(5);
        foreach (Op op in OpTable.All.Where(op => !op.IsLeaf))
        {
            int arity = Math.Max(op.MinArity, Math.Min(op.MaxArity, 3));
            var seen = new HashSet<string>();
            for (int trial = 0; trial < 200; trial++)
            {
                double[] x = Enumerable.Range(0, arity).Select(_ => rng.NextDouble() * 6 - 3).ToArray();
                double[] local = new double[arity];
                op.LocalGradient(x, op.Forward(x), local);
                seen.Add(string.Join(",", local.Select(BitConverter.DoubleToInt64Bits)));
                if (OpTable.HasConstantLocals(op.Code))
                    for (int k = 0; k < arity; k++) Assert.Equal(BitConverter.DoubleToInt64Bits(OpTable.ConstantLocal(op.Code, k)), BitConverter.DoubleToInt64Bits(local[k]));
            }
            if (!OpTable.HasConstantLocals(op.Code)) Assert.True(seen.Count > 1, $"{op.Name}'s local gradients never change: it could keep no row.");
        }
    }
}
