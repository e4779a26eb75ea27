using System.Text;
using GradApi.Engine.Compilation;
using GradApi.Engine.Graphs;

namespace GradApi.Engine.Tests.Compilation;

public class IdTableTests
{
    /// <summary>4,096 ids that share a prefix and differ only in their last three bytes, of a given length.</summary>
    private static string[] IdsDifferingAtTheEnd(int length)
    {
        string prefix = new('a', length - 3);
        var ids = new List<string>();
        foreach (char c5 in "!Aa")
            for (char c6 = '!'; c6 <= '~'; c6++)
                for (char c7 = '!'; c7 <= '~' && ids.Count < 4096; c7++)
                    ids.Add($"{prefix}{c5}{c6}{c7}");
        return [.. ids];
    }

    [Theory]
    [InlineData(5)]  // packed whole into the slot
    [InlineData(7)]
    [InlineData(8)]  // hashed, compared with the spec's text
    [InlineData(24)]
    public void IdsDifferingOnlyInTheirLastBytes_SpreadOverTheTable(int length)
    {
        string[] ids = IdsDifferingAtTheEnd(length);
        using var spec = new GraphSpec();
        foreach (string id in ids) spec.AddNode(id, "input", 1, null);
        using var table = new IdTable(spec, ids.Length);
        for (int i = 0; i < ids.Length; i++) Assert.Equal(i, table.AddOrFind(i));

        int[] probes = ids.Select(id => table.ProbeLength(Encoding.UTF8.GetBytes(id))).ToArray();

        // Linear probing at a load of at most 1/2 looks at about 1.5 slots per search; ids whose
        // differences the hash missed would share one run of slots and look at thousands.
        Assert.True(probes.Average() < 3, $"average probe length {probes.Average():F1}");
        Assert.True(probes.Max() < 64, $"longest probe {probes.Max()}");
        Assert.All(ids, (id, i) => Assert.Equal(i, table.Find(Encoding.UTF8.GetBytes(id))));
        Assert.Equal(-1, table.Find(Encoding.UTF8.GetBytes(ids[0] + "x")));
    }

    [Theory]
    [InlineData(5)]
    [InlineData(24)]
    public void IdsAddedPastTheCountItWasSizedFor_GrowTheTable_AndAreAllFound(int length)
    {
        string[] ids = IdsDifferingAtTheEnd(length);
        using var spec = new GraphSpec();
        foreach (string id in ids) spec.AddNode(id, "input", 1, null);
        spec.AddNode(ids[5], "input", 1, null);
        using var table = new IdTable(spec, 3);
        int sizedFor = table.Capacity;
        for (int i = 0; i < ids.Length; i++) Assert.Equal(i, table.AddOrFind(i, i * 3));

        Assert.True(table.Capacity >= 2 * ids.Length, $"capacity {table.Capacity} for {ids.Length} ids");
        Assert.True(table.Capacity > sizedFor);
        Assert.All(ids, (id, i) => Assert.Equal((i, i * 3), (table.Find(Encoding.UTF8.GetBytes(id), out int tag), tag)));
        Assert.Equal(5, table.AddOrFind(ids.Length)); // a duplicate is still found after the grows
        double average = ids.Average(id => table.ProbeLength(Encoding.UTF8.GetBytes(id)));
        Assert.True(average < 3, $"average probe length {average:F1}");
    }

    [Fact]
    public void Tag_AddedWithAnId_ComesBackWithIt_AndTheFirstNodeKeepsItsOwn()
    {
        using var spec = new GraphSpec();
        foreach (string id in new[] { "a", "a-long-id-of-many-bytes", "a" }) spec.AddNode(id, "input", 1, null);
        using var table = new IdTable(spec, spec.NodeCount);

        Assert.Equal(0, table.AddOrFind(0, 7));
        Assert.Equal(1, table.AddOrFind(1, -1));
        Assert.Equal(0, table.AddOrFind(2, 9)); // a duplicate: the table stays as it was

        Assert.Equal((0, 7), (table.Find("a"u8, out int tag), tag));
        Assert.Equal((1, -1), (table.Find("a-long-id-of-many-bytes"u8, out tag), tag));
        Assert.Equal((-1, 0), (table.Find("b"u8, out tag), tag));

        table.Clear();
        Assert.Equal(-1, table.Find("a"u8));
        Assert.Equal(2, table.AddOrFind(2, 3));
    }
}
