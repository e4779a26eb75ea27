using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace GradApi.Engine.Evaluation;

/// <summary>
/// Asks the processor to start bringing a number's cache line in, so that a read of it some nodes later finds it there.
/// The tape's passes read values and grads at positions all over memory, one or two per edge; on a large graph most of
/// those reads miss every cache, and a switch on a random mix of ops mispredicts at nearly every node, which throws away
/// the reads the processor had started ahead of itself. A prefetch asked for a few dozen edges ahead is on the path
/// whichever way the switch goes.
/// </summary>
/// <remarks>
/// A hint and nothing more: it changes no number, and costs one instruction where the processor has none to offer
/// (it is then compiled away). The address may be stale by the time the processor looks at it, if the collector moves
/// the array in between: a prefetch of any address never faults, so the worst that can happen is a useless one.
/// </remarks>
internal static class Prefetch
{
    /// <summary>The line of <paramref name="item"/>, an item of an array: a value, a grad, a slot of the id table.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Line<T>(ref T item)
    {
        if (Sse.IsSupported) Sse.Prefetch0(Unsafe.AsPointer(ref item));
    }
}
