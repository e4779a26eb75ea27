using System.Buffers;
using GradApi.Engine.Compilation;

namespace GradApi.Engine.Batching;

/// <summary>The threads of one batch: what each owns, what they share, and the helpers' hand-off.</summary>
public sealed partial class BatchEngine
{
    /// <summary>What one batch's threads share: read only, but for the answer's disjoint parts. One per engine, set per batch.</summary>
    private sealed class Job
    {
        public Tape Tape = null!;
        public BatchInputs Inputs = null!;
        public InferencePlan? Plan;
        public bool Training;
        public int GradCount;
        public BatchReduce Reduce;
        public int Stride;
        public int Tiles;
        public double[] Values = [];
        public double[] GradAnswers = [];
        public double[] TileSums = [];
        public CancellationToken CancellationToken;

        /// <summary>Lets go of the batch's tape, inputs and answer arrays.</summary>
        public void Clear()
        {
            Tape = null!;
            Inputs = null!;
            Plan = null;
            Values = GradAnswers = TileSums = [];
            CancellationToken = default;
        }
    }

    /// <summary>One thread's rows of a tile, and what it found: kept by the engine from batch to batch.</summary>
    private sealed class Workspace(ArrayPool<double> pool) : IDisposable
    {
        public double[] Rows = [];
        public double[] Partials = [];
        public double[] Grads = [];
        public double[] Scratch = [];
        public BatchFailure Failure;
        public long ForwardTicks;
        public long BackwardTicks;
        public long AnswerTicks;
        public Exception? Fault;

        public void Rent(int rows, int partials, int grads, int scratch)
        {
            BatchEngine.Rent(pool, ref Rows, rows);
            BatchEngine.Rent(pool, ref Partials, partials);
            BatchEngine.Rent(pool, ref Grads, grads);
            BatchEngine.Rent(pool, ref Scratch, scratch);
        }

        /// <summary>Clears what the last batch found.</summary>
        public void Reset()
        {
            Failure = new BatchFailure();
            ForwardTicks = BackwardTicks = AnswerTicks = 0;
            Fault = null;
        }

        public void Dispose()
        {
            GiveBack(pool, ref Rows);
            GiveBack(pool, ref Partials);
            GiveBack(pool, ref Grads);
            GiveBack(pool, ref Scratch);
        }
    }

    /// <summary>
    /// A thread-pool work item that runs the tiles on a workspace of its own, reused from batch to batch
    /// (nothing is allocated per batch). <see cref="Join"/> either takes back a helper the pool has not
    /// started yet, which then does nothing when it runs, or waits for it to finish: one start runs at
    /// most once.
    /// </summary>
    private sealed class Helper(BatchEngine engine, Workspace work) : IThreadPoolWorkItem
    {
        private const int Idle = 0, Queued = 1, Running = 2;

        /// <summary>What <see cref="Join"/> waits on: a monitor of its own, which allocates nothing when it first blocks.</summary>
        private readonly object _gate = new();
        private bool _finished;
        private int _state;

        public void Start()
        {
            Volatile.Write(ref _finished, false);
            Volatile.Write(ref _state, Queued);
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }

        public void Execute()
        {
            if (Interlocked.CompareExchange(ref _state, Running, Queued) != Queued) return;
            try
            {
                engine.RunTiles(work);
            }
            catch (Exception e)
            {
                work.Fault = e;
                engine.StopTiles();
            }
            finally
            {
                lock (_gate)
                {
                    Volatile.Write(ref _finished, true);
                    Monitor.PulseAll(_gate);
                }
            }
        }

        /// <summary>Whether the helper ran (it has finished now); false if it had not started and never will for this start.</summary>
        public bool Join()
        {
            if (Interlocked.CompareExchange(ref _state, Idle, Queued) == Queued) return false;
            // Its last tile is usually a few microseconds from done: spin a little before sleeping.
            var spin = new SpinWait();
            while (!Volatile.Read(ref _finished) && !spin.NextSpinWillYield) spin.SpinOnce();
            lock (_gate)
            {
                while (!_finished) Monitor.Wait(_gate);
            }
            Volatile.Write(ref _state, Idle);
            return true;
        }
    }

    /// <summary>A workspace for each of <paramref name="workers"/> threads, and a helper for each but the first.</summary>
    private void EnsureWorkspaces(int workers)
    {
        if (_workspaces.Length >= workers) return;
        Workspace[] workspaces = new Workspace[workers];
        Helper[] helpers = new Helper[workers - 1];
        for (int w = 0; w < workers; w++)
        {
            workspaces[w] = w < _workspaces.Length ? _workspaces[w] : new Workspace(_pool);
            if (w > 0) helpers[w - 1] = w - 1 < _helpers.Length ? _helpers[w - 1] : new Helper(this, workspaces[w]);
        }
        _workspaces = workspaces;
        _helpers = helpers;
    }
}
