using GradApi.CompiledGraphs;

namespace GradApi.Tests.CompiledGraphs;

public sealed class BytesBoundedLruTests
{
    [Fact]
    public void PastTheBound_TheLeastRecentlyUsedIsDroppedFirst()
    {
        var lru = new BytesBoundedLru<string>(100);
        lru.TryAdd("a", "A", 40, out _);
        lru.TryAdd("b", "B", 40, out _);
        Assert.Equal("A", lru.Find("a")); // a is now the most recently used

        lru.TryAdd("c", "C", 40, out _);

        Assert.Null(lru.Find("b"));
        Assert.Equal("A", lru.Find("a"));
        Assert.Equal("C", lru.Find("c"));
        Assert.Equal(80, lru.Bytes);
    }

    [Fact]
    public void ALargeValue_DropsAsManyAsItNeeds()
    {
        var lru = new BytesBoundedLru<string>(100);
        foreach (string key in new[] { "a", "b", "c", "d" }) lru.TryAdd(key, key, 25, out _);

        lru.TryAdd("big", "BIG", 70, out _);

        Assert.Equal(2, lru.Count);
        Assert.Null(lru.Find("c"));
        Assert.Equal("d", lru.Find("d"));
        Assert.Equal(95, lru.Bytes);
    }

    [Fact]
    public void AValueLargerThanTheBound_IsRefusedAndDropsNothing()
    {
        var lru = new BytesBoundedLru<string>(100);
        lru.TryAdd("a", "A", 60, out _);

        Assert.False(lru.TryAdd("huge", "HUGE", 101, out _));
        Assert.Equal("A", lru.Find("a"));
    }

    [Fact]
    public void AddingAKeyAgain_KeepsTheFirstValue()
    {
        var lru = new BytesBoundedLru<string>(100);
        lru.TryAdd("a", "first", 10, out _);

        Assert.True(lru.TryAdd("a", "second", 10, out string kept));
        Assert.Equal("first", kept);
        Assert.Equal(10, lru.Bytes);
    }

    [Fact]
    public void Remove_FreesTheBytes()
    {
        var lru = new BytesBoundedLru<string>(100);
        lru.TryAdd("a", "A", 60, out _);

        Assert.True(lru.Remove("a"));
        Assert.False(lru.Remove("a"));
        Assert.Equal(0, lru.Bytes);
        Assert.True(lru.TryAdd("b", "B", 100, out _));
    }

    [Fact]
    public async Task ManyThreads_KeepTheCountsTrue()
    {
        var lru = new BytesBoundedLru<string>(1000);
        await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(() =>
        {
            for (int i = 0; i < 5000; i++)
            {
                string key = ((i * 7 + t) % 97).ToString(System.Globalization.CultureInfo.InvariantCulture);
                lru.TryAdd(key, key, 10 + i % 30, out _);
                lru.Find(key);
                if (i % 11 == 0) lru.Remove(key);
            }
        })));

        Assert.InRange(lru.Bytes, 0, 1000);
        Assert.InRange(lru.Count, 0, 97);
    }
}
