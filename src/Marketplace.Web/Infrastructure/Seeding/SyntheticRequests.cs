using Marketplace.Web.Domain.Accounts;
using Marketplace.Web.Domain.Matching;
using Marketplace.Web.Domain.Providers;
using Marketplace.Web.Domain.Taxonomy;
using Marketplace.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Web.Infrastructure.Seeding;

/// <summary>
/// Generates open requests from clearly synthetic nonprofits (« Organisme synthétique 00042 ») for the matching
/// benchmark. Deterministic: the same counts give the same data, and a later call continues the numbering.
/// </summary>
public sealed class SyntheticRequests(MarketplaceDbContext db, TimeProvider time)
{
    public const string OrganizationPrefix = "Organisme synthétique ";

    /// <summary>What was added: the count and the ids of the first and last request (ids grow with insertion).</summary>
    public sealed record Outcome(int Requests, int Organizations, int FirstId, int LastId);

    // Roughly the regions' shares of Quebec's population (per mille), so that Montréal and Montérégie get the most.
    private static readonly int[] RegionWeights = [23, 32, 88, 32, 39, 235, 47, 17, 11, 5, 10, 51, 50, 60, 72, 177, 29];

    private static readonly string[] Openings =
    [
        "Nous cherchons de l'aide pour", "Notre équipe a besoin d'un coup de main pour", "Nous voulons un accompagnement pour",
        "Le conseil d'administration nous demande de régler", "Nos bénévoles attendent une solution pour",
    ];

    private const int Batch = 1000;

    public async Task<Outcome> AddAsync(int count, CancellationToken cancellationToken)
    {
        var categories = await db.TaxonomyTerms.Where(t => t.Kind == TaxonomyKind.Category).OrderBy(t => t.Position)
            .Select(t => new { t.Key, t.LabelFr }).ToListAsync(cancellationToken);
        var categoryList = categories.Select(c => (c.Key, c.LabelFr)).ToList();
        var funding = await db.TaxonomyTerms.Where(t => t.Kind == TaxonomyKind.FundingProgram).OrderBy(t => t.Position)
            .Select(t => t.Key).ToListAsync(cancellationToken);
        var languages = await db.TaxonomyTerms.Where(t => t.Kind == TaxonomyKind.Language).OrderBy(t => t.Position)
            .Select(t => t.Key).ToListAsync(cancellationToken);
        if (categories.Count == 0) throw new InvalidOperationException("Load seed-data first: there is no category.");
        var other = languages.FirstOrDefault(l => l != "fr") ?? "fr";
        var start = await db.Organizations.CountAsync(o => o.Name.StartsWith(OrganizationPrefix), cancellationToken);

        var random = new Random(20261123 + start);
        var regionCumulative = new int[RegionWeights.Length];
        for (int i = 0, total = 0; i < RegionWeights.Length; i++) regionCumulative[i] = total += RegionWeights[i];
        var now = time.GetUtcNow();
        var detect = db.ChangeTracker.AutoDetectChangesEnabled;
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        int added = 0, organizations = 0, firstId = 0, lastId = 0;
        try
        {
            while (added < count)
            {
                // A batch of organizations (saved first for their ids), then their 1 to 3 requests each.
                var batch = new List<(Organization Organization, int Number, int Requests)>();
                for (var planned = 0; planned < Batch && added + planned < count;)
                {
                    var n = start + organizations + batch.Count + 1;
                    var requests = Math.Min(1 + random.Next(3), count - added - planned);
                    batch.Add((new Organization($"{OrganizationPrefix}{n:00000}", OrganizationKind.Nonprofit, now), n, requests));
                    planned += requests;
                }
                db.Organizations.AddRange(batch.Select(b => b.Organization));
                await db.SaveChangesAsync(cancellationToken);

                var requestsOfBatch = new List<NeedRequest>();
                foreach (var (organization, number, requests) in batch)
                    for (var k = 0; k < requests; k++)
                        requestsOfBatch.Add(Request(random, organization.Id, number, categoryList, funding, other, regionCumulative, now));
                db.NeedRequests.AddRange(requestsOfBatch);
                await db.SaveChangesAsync(cancellationToken);
                db.ChangeTracker.Clear();

                if (firstId == 0) firstId = requestsOfBatch[0].Id;
                lastId = requestsOfBatch[^1].Id;
                organizations += batch.Count;
                added += requestsOfBatch.Count;
            }
        }
        finally
        {
            db.ChangeTracker.AutoDetectChangesEnabled = detect;
        }
        return new Outcome(added, organizations, firstId, lastId);
    }

    private static NeedRequest Request(Random random, int organizationId, int organizationNumber, List<(string Key, string LabelFr)> categories,
        List<string> funding, string otherLanguage, int[] regionCumulative, DateTimeOffset now)
    {
        // 1 to 3 categories, most often one.
        var wanted = random.Next(10) switch { < 6 => 1, < 9 => 2, _ => 3 };
        var picked = new List<(string Key, string LabelFr)>();
        while (picked.Count < Math.Min(wanted, categories.Count))
        {
            var c = categories[random.Next(categories.Count)];
            if (!picked.Contains(c)) picked.Add(c);
        }
        var at = Array.BinarySearch(regionCumulative, random.Next(regionCumulative[^1]) + 1);
        var region = RegionCodes.All[at < 0 ? ~at : at];
        var delivery = random.Next(20) switch { < 5 => DeliveryPreference.OnSite, < 9 => DeliveryPreference.Remote, _ => DeliveryPreference.Either };
        var language = random.Next(10) == 0 ? otherLanguage : "fr";
        var needsFree = random.Next(10) < 3;
        var budget = needsFree
            ? random.Next(2) == 0 ? BudgetRange.FreeOnly : BudgetRange.Under1000
            : (BudgetRange)random.Next(Enum.GetValues<BudgetRange>().Length);
        var timeline = (Timeline)random.Next(Enum.GetValues<Timeline>().Length);
        var preferences = new ValuePreferences(
            PreferSocialEconomy: random.Next(10) < 4,
            PreferLocal: random.Next(10) < 3,
            NeedsFreeOrNonprofitPricing: needsFree,
            FundingProgram: funding.Count > 0 && random.Next(5) == 0 ? funding[random.Next(funding.Count)] : null);
        var labels = string.Join(", ", picked.Select(p => p.LabelFr.ToLowerInvariant()));
        return new NeedRequest(organizationId,
            $"Demande synthétique ({organizationNumber:00000}) : {labels}",
            $"Demande synthétique générée pour les bancs d'essai du jumelage. {Openings[random.Next(Openings.Length)]} {labels}.",
            picked.Select(p => p.Key), region, delivery, language, budget, timeline, preferences, now);
    }
}
