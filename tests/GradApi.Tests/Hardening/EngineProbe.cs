using System.Buffers;
using GradApi.Engine.Evaluation;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace GradApi.Tests.Hardening;

/// <summary>
/// A test-only hook into the engine, to hold an evaluation mid-run without timing tricks. A request with the
/// <see cref="Header"/> header gets an engine whose first buffer rental tells the test the engine has started,
/// then blocks until the request's cancellation token (the one the engine is handed) is cancelled, by the time
/// budget or by the client going away. The engine then runs on, and must notice the cancellation itself.
/// </summary>
internal sealed class EngineProbe
{
    public const string Header = "X-Test-Hold-Engine";

    public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Replaces the engine registration of the service.</summary>
    public void Install(IServiceCollection services)
    {
        services.AddHttpContextAccessor();
        services.AddScoped(provider =>
        {
            HttpContext? context = provider.GetRequiredService<IHttpContextAccessor>().HttpContext;
            return context is not null && context.Request.Headers.ContainsKey(Header)
                ? new GraphEngine(new HoldingPool(this, context.RequestAborted))
                : new GraphEngine();
        });
    }

    private sealed class HoldingPool(EngineProbe probe, CancellationToken requestAborted) : ArrayPool<double>
    {
        private bool _held;

        public override double[] Rent(int minimumLength)
        {
            if (!_held)
            {
                _held = true;
                probe.Started.TrySetResult();
                requestAborted.WaitHandle.WaitOne(TimeSpan.FromSeconds(60));
            }
            return Shared.Rent(minimumLength);
        }

        public override void Return(double[] array, bool clearArray = false) => Shared.Return(array, clearArray);
    }
}
