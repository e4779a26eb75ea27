using System.Text;
using GradApi.Engine.Ops;

namespace GradApi.Engine.Tests.Ops;

/// <summary>
/// The lookup of op names as a JSON body has them (UTF-8 bytes), over lists of names of every length: an op of
/// eight bytes or more is found as surely as one of three, and nothing that differs from a name by a byte is.
/// </summary>
public sealed class OpNamesTests
{
    private static readonly string[] Names =
        ["add", "sigmoid", "softplus", "leaky_relu", "log1p", "a_name_of_well_over_sixteen_bytes", "softplu", "größe", "straße_mit_umlaut"];

    private static readonly OpNames Lookup = new(Names);

    [Theory]
    [MemberData(nameof(EveryName))]
    public void EveryName_IsFoundAtItsPosition_WhateverItsLength(int position)
    {
        Assert.Equal(position, Lookup.IndexOf(Encoding.UTF8.GetBytes(Names[position])));
    }

    public static TheoryData<int> EveryName() => new(Enumerable.Range(0, Names.Length));

    [Theory]
    [InlineData("")]
    [InlineData("softplusx")] // a long name and one byte more
    [InlineData("softplux")] // a long name with its last byte changed
    [InlineData("xoftplus")] // ... and its first
    [InlineData("softpl")] // a short name and one byte less
    [InlineData("Softplus")]
    [InlineData("leaky_relu ")]
    [InlineData("a_name_of_well_over_sixteen_byteS")]
    [InlineData("sigmoi")]
    [InlineData("adds")]
    [InlineData("gröse")]
    public void NearMisses_AreNotFound(string name)
    {
        Assert.Equal(-1, Lookup.IndexOf(Encoding.UTF8.GetBytes(name)));
    }

    [Fact]
    public void ShortNamesOnly_RefuseEveryLongName()
    {
        var shortOnly = new OpNames(["add", "mul", "sigmoid"]);

        Assert.Equal(2, shortOnly.IndexOf("sigmoid"u8));
        Assert.Equal(-1, shortOnly.IndexOf("sigmoidx"u8));
        Assert.Equal(-1, shortOnly.IndexOf(new byte[8]));
    }

    [Fact]
    public void OpTable_FindsEachOpByItsUtf8Name_AsByItsString()
    {
        foreach (Op op in OpTable.All)
        {
            Assert.True(OpTable.TryGet(Encoding.UTF8.GetBytes(op.Name), out Op? found));
            Assert.Same(op, found);
        }
        Assert.False(OpTable.TryGet("sigmoids"u8, out _));
    }
}
