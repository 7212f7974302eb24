using Marketplace.Web.Domain;
using Marketplace.Web.Domain.Providers;
using Marketplace.Web.Domain.Taxonomy;
using Marketplace.Web.Infrastructure.Data;
using Marketplace.Web.Infrastructure.Search;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Marketplace.Web.Infrastructure.Seeding;

/// <summary>Loads seed-data/ into the database: taxonomy terms are added or relabelled, missing providers added.</summary>
public sealed class SeedDataLoader(
    MarketplaceDbContext db,
    ISearchIndexer indexer,
    IOptions<MarketplaceOptions> options,
    Features.Matching.MatchingRun matching,
    DemoAccounts demoAccounts,
    TimeProvider time,
    ILogger<SeedDataLoader> logger)
{
    public sealed record Outcome(int TermsAdded, int TermsUpdated, int ProvidersAdded, int ProvidersSkipped, int RequestsAdded = 0);

    public async Task<Outcome> LoadAsync(CancellationToken cancellationToken)
    {
        var files = SeedFiles.Load(options.Value.SeedDataDirectory);
        var (added, updated) = await UpsertTermsAsync(files, cancellationToken);

        var knownCategories = files.Taxonomy.Categories.Select(c => c.Key).ToHashSet();
        var knownLanguages = files.Taxonomy.Languages.Select(c => c.Key).ToHashSet();
        var knownFunding = files.Taxonomy.FundingPrograms.Select(c => c.Key).ToHashSet();
        var existing = await db.Providers.Select(p => p.Slug).ToListAsync(cancellationToken);
        var existingSlugs = existing.ToHashSet();

        var providersAdded = 0;
        foreach (var seed in files.Providers.Providers)
        {
            if (existingSlugs.Contains(seed.Slug)) continue;
            db.Providers.Add(ToProvider(seed, knownCategories, knownLanguages, knownFunding));
            providersAdded++;
        }
        await db.SaveChangesAsync(cancellationToken);
        await indexer.RebuildAsync(cancellationToken);

        // Fictional nonprofits with open requests, so that a fresh site shows matches at once.
        var requestsAdded = 0;
        var knownOrganizations = (await db.Organizations.Select(o => o.Name).ToListAsync(cancellationToken)).ToHashSet();
        foreach (var seed in files.Nonprofits.Organizations.Where(o => !knownOrganizations.Contains(o.Name)))
        {
            var now = time.GetUtcNow();
            var organization = new Domain.Accounts.Organization(seed.Name, Domain.Accounts.OrganizationKind.Nonprofit, now);
            db.Organizations.Add(organization);
            await db.SaveChangesAsync(cancellationToken);
            foreach (var r in seed.Requests)
            {
                db.NeedRequests.Add(new Domain.Matching.NeedRequest(organization.Id, r.Title, r.Description, r.Categories, r.Region,
                    Enum.Parse<Domain.Matching.DeliveryPreference>(r.Delivery, ignoreCase: true), r.Language,
                    Enum.Parse<Domain.Matching.BudgetRange>(r.Budget ?? "Unknown", ignoreCase: true),
                    Enum.Parse<Domain.Matching.Timeline>(r.Timeline ?? "Flexible", ignoreCase: true), new Domain.Matching.ValuePreferences(r.PreferSocialEconomy, r.PreferLocal,
                        r.NeedsFreeOrNonprofitPricing, r.FundingProgram), now));
                requestsAdded++;
            }
            await db.SaveChangesAsync(cancellationToken);
        }
        if (requestsAdded > 0) await matching.RunAsync(null, new Domain.Matching.MatchWeights(), cancellationToken);
        await demoAccounts.AddAsync(files.Nonprofits, cancellationToken);

        logger.LogInformation("Seed data loaded: {TermsAdded} terms added, {TermsUpdated} updated, {ProvidersAdded} providers added, {RequestsAdded} requests added",
            added, updated, providersAdded, requestsAdded);
        return new Outcome(added, updated, providersAdded, files.Providers.Providers.Count - providersAdded, requestsAdded);
    }

    private async Task<(int Added, int Updated)> UpsertTermsAsync(SeedFiles files, CancellationToken cancellationToken)
    {
        var wanted = new List<TaxonomyTerm>();
        void AddAll(TaxonomyKind kind, IEnumerable<SeedTerm> terms) =>
            wanted.AddRange(terms.Select((t, i) => new TaxonomyTerm(kind, t.Key, t.LabelFr, t.LabelEn, i, t.DescriptionFr, t.DescriptionEn)));
        AddAll(TaxonomyKind.Category, files.Taxonomy.Categories);
        AddAll(TaxonomyKind.Language, files.Taxonomy.Languages);
        AddAll(TaxonomyKind.FundingProgram, files.Taxonomy.FundingPrograms);
        AddAll(TaxonomyKind.Region, files.Regions.Select(r =>
            RegionCodes.IsValid(r.Code) ? new SeedTerm(r.Code, r.NameFr, r.NameEn) : throw new InvalidDataException($"Bad region code {r.Code}")));

        var current = await db.TaxonomyTerms.ToListAsync(cancellationToken);
        int added = 0, updated = 0;
        foreach (var term in wanted)
        {
            var found = current.FirstOrDefault(t => t.Kind == term.Kind && t.Key == term.Key);
            if (found is null)
            {
                db.TaxonomyTerms.Add(term);
                added++;
            }
            else if (found.LabelFr != term.LabelFr || found.LabelEn != term.LabelEn || found.Position != term.Position
                     || found.DescriptionFr != term.DescriptionFr || found.DescriptionEn != term.DescriptionEn)
            {
                found.Relabel(term.LabelFr, term.LabelEn, term.DescriptionFr, term.DescriptionEn);
                found.MoveTo(term.Position);
                updated++;
            }
        }
        await db.SaveChangesAsync(cancellationToken);
        return (added, updated);
    }

    private static Provider ToProvider(SeedProvider seed, IReadOnlySet<string> categories, IReadOnlySet<string> languages,
        IReadOnlySet<string> funding)
    {
        try
        {
            var origin = seed.Origin switch
            {
                "public-documents" => DataOrigin.PublicDocuments,
                "fictional" => DataOrigin.Fictional,
                _ => throw new InvalidDataException($"unknown origin '{seed.Origin}'"),
            };
            var provider = new Provider(seed.Slug, seed.Name, EnumKeys<LegalForm>.Parse(seed.LegalForm), seed.SocialEconomy,
                seed.DescriptionFr, seed.DescriptionEn, seed.Neq, seed.HeadOfficeRegion, seed.Website, origin);
            var verifiedOn = seed.VerifiedOn is { } checkedDay ? new DateTimeOffset(checkedDay.ToDateTime(new TimeOnly(12, 0)), TimeSpan.Zero) : (DateTimeOffset?)null;
            // Contact channels come only from the documents (seed-data/README.md): checked on the listing's verification date.
            if (seed.PublicEmail is not null || seed.PublicPhone is not null || seed.ContactPage is not null)
                provider.SetPublicContacts(seed.PublicEmail, seed.PublicPhone, seed.ContactPage, verifiedOn);
            foreach (var o in seed.Offerings)
            {
                Require(categories, [o.Category], "category");
                Require(languages, o.Languages, "language");
                Require(funding, o.FundingPrograms, "funding program");
                provider.AddOffering(o.Category, o.DescriptionFr, o.DescriptionEn, EnumKeys<PricingModel>.Parse(o.Pricing),
                    EnumKeys<DeliveryMode>.Parse(o.Delivery), o.AllQuebec, o.Regions, o.Languages, o.FundingPrograms);
            }
            var verifiedAt = seed.VerifiedOn is { } day ? new DateTimeOffset(day.ToDateTime(new TimeOnly(12, 0)), TimeSpan.Zero) : (DateTimeOffset?)null;
            switch (seed.Status)
            {
                case "published":
                    provider.Publish(verifiedAt ?? throw new InvalidDataException("a published listing needs verifiedOn"));
                    break;
                case "archived":
                    if (verifiedAt is { } v) provider.Publish(v);
                    provider.Archive();
                    break;
                case "draft":
                    break;
                default:
                    throw new InvalidDataException($"unknown status '{seed.Status}'");
            }
            return provider;
        }
        catch (Exception e) when (e is DomainException or FormatException or InvalidDataException)
        {
            throw new InvalidDataException($"seed-data/providers.json, provider '{seed.Slug}': {e.Message}", e);
        }
    }

    private static void Require(IReadOnlySet<string> known, IEnumerable<string> keys, string what)
    {
        var unknown = keys.FirstOrDefault(k => !known.Contains(k));
        if (unknown is not null) throw new InvalidDataException($"unknown {what} '{unknown}'");
    }
}
