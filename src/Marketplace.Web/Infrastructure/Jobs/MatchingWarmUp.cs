using Marketplace.Web.Domain.Matching;
using Marketplace.Web.Features.Matching;
using Marketplace.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Web.Infrastructure.Jobs;

/// <summary>
/// Once the site has started, runs the matching of its newest open request in a transaction that is rolled back, so
/// that EF Core's queries are compiled and the code is jitted before the first real job: the incremental job that
/// follows a restart then takes what the later ones take (under 200 ms for the largest benchmark request, instead of
/// about 0.6 s; docs/benchmarks.md). Nothing is kept. Runs with the scheduler; <c>Jobs:WarmUpMatching=false</c> turns
/// it off.
/// </summary>
public sealed class MatchingWarmUp(IServiceScopeFactory scopes, IHostApplicationLifetime lifetime, IConfiguration configuration,
    ILogger<MatchingWarmUp> logger) : BackgroundService
{
    private readonly TaskCompletionSource<int?> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The request whose matching was run and rolled back; null if there was none, or the warm-up failed.</summary>
    public Task<int?> Done => _done.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            // After the start: the warm-up must not delay the first page.
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            await using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
                await started.Task.WaitAsync(stoppingToken);
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<MarketplaceDbContext>();
            var requestId = await db.NeedRequests.Where(r => r.Status == RequestStatus.Open).OrderByDescending(r => r.Id)
                .Select(r => (int?)r.Id).FirstOrDefaultAsync(stoppingToken);
            if (requestId is not null)
            {
                var weights = MatchingRun.Weights(configuration);
                await using var transaction = await db.Database.BeginTransactionAsync(stoppingToken);
                await scope.ServiceProvider.GetRequiredService<MatchingRun>().RunAsync(requestId, weights, stoppingToken);
                await transaction.RollbackAsync(stoppingToken);
            }
            _done.TrySetResult(requestId);
        }
        catch (OperationCanceledException)
        {
            _done.TrySetResult(null);
        }
        catch (Exception e)
        {
            // Only slower: the first job compiles its queries itself.
            logger.LogWarning("Matching warm-up failed: {Error}", e.GetType().Name);
            _done.TrySetResult(null);
        }
    }
}
