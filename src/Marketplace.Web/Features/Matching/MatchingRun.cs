using Marketplace.Web.Domain.Matching;
using Marketplace.Web.Domain.Providers;
using Marketplace.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Web.Features.Matching;

/// <summary>
/// Recomputes the stored matches of open requests: candidates come from the offerings index by category (only
/// providers offering a requested category are loaded and scored), the pure <see cref="Matcher"/> ranks them, and
/// the stored matches are added, updated or removed so that an unchanged input changes nothing.
/// </summary>
public sealed class MatchingRun(MarketplaceDbContext db, TimeProvider time)
{
    public const int TopCount = 20;

    public sealed record Outcome(int Requests, int CandidatesScored, int Added, int Changed, int Removed);

    public async Task<Outcome> RunAsync(int? requestId, MatchWeights weights, CancellationToken cancellationToken) =>
        await RunAsync(await db.NeedRequests.Where(r => requestId == null || r.Id == requestId).OrderBy(r => r.Id)
            .ToListAsync(cancellationToken), weights, cancellationToken);

    /// <summary>
    /// After a listing was published, edited or archived: the requests that already list it, and the open requests
    /// in one of the categories it offers (or offered).
    /// </summary>
    public async Task<Outcome> RunForProviderAsync(int providerId, MatchWeights weights, CancellationToken cancellationToken)
    {
        var categories = await db.ServiceOfferings.Where(o => o.ProviderId == providerId).Select(o => o.CategoryKey).Distinct()
            .ToListAsync(cancellationToken);
        var listed = db.Matches.Where(m => m.ProviderId == providerId).Select(m => m.RequestId);
        var requests = await db.NeedRequests
            .Where(r => listed.Contains(r.Id) || (r.Status == RequestStatus.Open && r.Categories.Any(c => categories.Contains(c))))
            .OrderBy(r => r.Id).ToListAsync(cancellationToken);
        return await RunAsync(requests, weights, cancellationToken);
    }

    private async Task<Outcome> RunAsync(List<NeedRequest> requests, MatchWeights weights, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        int scored = 0, added = 0, changed = 0, removed = 0;
        foreach (var request in requests)
        {
            var stored = await db.Matches.Where(m => m.RequestId == request.Id).ToListAsync(cancellationToken);
            IReadOnlyList<Match> top = [];
            if (request.Status == RequestStatus.Open)
            {
                var candidates = await CandidatesAsync(request, cancellationToken);
                scored += candidates.Count;
                top = Matcher.Top(request, candidates, TopCount, now, weights);
            }
            var byProvider = stored.ToDictionary(m => m.ProviderId);
            foreach (var match in top)
            {
                if (byProvider.Remove(match.ProviderId, out var existing))
                {
                    if (existing.Update(match, now)) changed++;
                }
                else
                {
                    db.Matches.Add(new MatchRecord(request.Id, match, now));
                    added++;
                }
            }
            db.Matches.RemoveRange(byProvider.Values);
            removed += byProvider.Count;
            await db.SaveChangesAsync(cancellationToken);
        }
        db.ChangeTracker.Clear();
        return new Outcome(requests.Count, scored, added, changed, removed);
    }

    private async Task<List<Candidate>> CandidatesAsync(NeedRequest request, CancellationToken cancellationToken)
    {
        var categories = request.Categories.ToArray();
        // The service_offerings index on the category key narrows the candidates; only published listings count.
        var providerIds = db.ServiceOfferings.Where(o => categories.Contains(o.CategoryKey)).Select(o => o.ProviderId).Distinct();
        var rows = await db.Providers.AsNoTracking().AsSplitQuery()
            .Where(p => p.Status == ListingStatus.Published && providerIds.Contains(p.Id))
            .Select(p => new
            {
                p.Id, p.Name, p.SocialEconomy, p.HeadOfficeRegion, p.VerifiedAt,
                Offerings = p.Offerings.Select(o => new { o.CategoryKey, o.Pricing, o.Delivery, o.ServesAllQuebec, o.RegionCodes, o.Languages, o.FundingPrograms }).ToList(),
            })
            .ToListAsync(cancellationToken);
        var dismissal = await DismissalRatesAsync(providerIds, cancellationToken);
        return rows.Select(p => new Candidate(p.Id, p.Name, true, p.SocialEconomy, p.HeadOfficeRegion, p.VerifiedAt,
            p.Offerings.Select(o => new CandidateOffering(o.CategoryKey, o.Pricing, o.Delivery, o.ServesAllQuebec, o.RegionCodes,
                o.Languages, o.FundingPrograms)).ToArray(), dismissal.GetValueOrDefault(p.Id))).ToList();
    }

    /// <summary>
    /// Feedback from earlier dismissals: for each provider some nonprofit set aside, dismissals ÷ (requests it was
    /// suggested to + <see cref="DismissalSmoothing"/>), so that one dismissal does not sink a provider suggested once.
    /// </summary>
    private async Task<Dictionary<int, double>> DismissalRatesAsync(IQueryable<int> providerIds, CancellationToken cancellationToken)
    {
        var dismissed = await db.MatchResponses.Where(r => r.DismissedAt != null && providerIds.Contains(r.ProviderId))
            .GroupBy(r => r.ProviderId).Select(g => new { ProviderId = g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
        if (dismissed.Count == 0) return [];
        var ids = dismissed.Select(d => d.ProviderId).ToArray();
        var suggested = await db.Matches.Where(m => ids.Contains(m.ProviderId)).GroupBy(m => m.ProviderId)
            .Select(g => new { ProviderId = g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.ProviderId, g => g.Count, cancellationToken);
        return dismissed.ToDictionary(d => d.ProviderId,
            d => (double)d.Count / (Math.Max(d.Count, suggested.GetValueOrDefault(d.ProviderId)) + DismissalSmoothing));
    }

    public const int DismissalSmoothing = 2;
}
