using GradApi.Engine.Buffers;

namespace GradApi.Engine.Tests.Buffers;

/// <summary>
/// The pool of a request's buffers: small arrays from the shared pool, large ones sized to the request and kept only
/// within a bound that every type shares. Each test rents a type of its own, so the stores of other tests (which run in
/// parallel, compiling graphs) do not disturb what it counts.
/// </summary>
[Collection(BufferPoolCollection.Name)]
public sealed class BufferPoolTests
{
    private const int Large = 3 * 1024 * 1024; // elements: 12 MiB of Kept, 3 MiB of Dropped

    private record struct Kept(int Value);

    private record struct Dropped(byte Value);

    private record struct Trimmed(long Value);

    [Fact]
    public void SmallRent_ComesFromTheSharedPool_InAPowerOfTwo()
    {
        int[] array = BufferPool<int>.Shared.Rent(1000);

        Assert.Equal(1024, array.Length);
        BufferPool<int>.Shared.Return(array);
    }

    [Theory]
    [InlineData(1_000_001, 1_048_576)]
    [InlineData(1_048_576, 1_048_576)]
    [InlineData(1_048_577, 1_179_648)]
    [InlineData(1_634_758, 1_703_936)]
    public void LargeRent_IsRoundedUpToOneOfEightStepsPerDoubling(int requested, int expected)
    {
        Assert.Equal(expected, BufferPool<double>.SizeClass(requested));
        Assert.InRange(expected - requested, 0, requested / 8);
    }

    [Fact]
    public void LargeArrayReturned_IsRentedAgainForTheSameSize_AndNotKeptTwice()
    {
        BufferPool<Kept> pool = BufferPool<Kept>.Shared;
        Kept[] first = pool.Rent(Large);
        Assert.Equal(BufferPool<Kept>.SizeClass(Large), first.Length);

        pool.Return(first);
        Assert.Equal(1, pool.KeptCount);
        Kept[] again = pool.Rent(Large - 1000);

        Assert.Same(first, again);
        Assert.Equal(0, pool.KeptCount);
        pool.Return(again);
    }

    [Fact]
    public void LargeArrayReturnedPastTheBound_IsLeftToTheGC()
    {
        BufferPool<Dropped> pool = BufferPool<Dropped>.Shared;
        long limit = BufferPool.RetainedBytesLimit;
        Dropped[] array = pool.Rent(Large);
        try
        {
            BufferPool.RetainedBytesLimit = 0;
            pool.Return(array);
            Assert.Equal(0, pool.KeptCount);
            Assert.NotSame(array, pool.Rent(Large));
        }
        finally
        {
            BufferPool.RetainedBytesLimit = limit;
        }
    }

    [Fact]
    public void Trim_DropsWhatTheStoresKeep_AndTheirBytesAreNoLongerCounted()
    {
        BufferPool<Trimmed> pool = BufferPool<Trimmed>.Shared;
        pool.Return(pool.Rent(Large));
        Assert.Equal(1, pool.KeptCount);

        BufferPool.Trim();

        Assert.Equal(0, pool.KeptCount);
        Assert.InRange(BufferPool.RetainedBytes, 0, BufferPool.RetainedBytesLimit);
    }
}

/// <summary>The tests that change the shared bound run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BufferPoolCollection
{
    public const string Name = "Buffer pool";
}
