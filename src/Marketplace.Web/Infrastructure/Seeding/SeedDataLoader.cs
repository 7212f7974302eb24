using Marketplace.Web.Domain;
using Marketplace.Web.Domain.Providers;
using Marketplace.Web.Domain.Taxonomy;
using Marketplace.Web.Infrastructure.Data;
using Marketplace.Web.Infrastructure.Search;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Marketplace.Web.Infrastructure.Seeding;

/// <summary>
/// Loads seed-data/ into the database: taxonomy terms are added or relabelled, missing providers added. Every file and
/// record is checked first, then everything is written in one transaction (issue 12): a bad file names itself and its
/// record (<see cref="SeedDataException"/>) and leaves the database as it was. The search index and the matches are
/// derived from what was written, so they are rebuilt after the commit.
/// </summary>
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

    /// <summary>What the files ask for, checked record by record before anything is written.</summary>
    private sealed record Plan(List<TaxonomyTerm> Terms, List<(SeedProvider Seed, Provider Provider)> Providers, IReadOnlyList<SeedSynonymGroup> Synonyms);

    public async Task<Outcome> LoadAsync(CancellationToken cancellationToken)
    {
        var files = SeedFiles.Load(options.Value.SeedDataDirectory);
        var plan = Validate(files);

        var ownTransaction = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(cancellationToken) : null;
        int added, updated, providersAdded = 0, requestsAdded = 0;
        await using (ownTransaction)
        {
            (added, updated) = await UpsertTermsAsync(plan.Terms, cancellationToken);

            var existingSlugs = (await db.Providers.Select(p => p.Slug).ToListAsync(cancellationToken)).ToHashSet();
            foreach (var (seed, provider) in plan.Providers)
            {
                if (existingSlugs.Contains(seed.Slug)) continue;
                db.Providers.Add(provider);
                providersAdded++;
            }
            await db.SaveChangesAsync(cancellationToken);

            // Fictional nonprofits with open requests, so that a fresh site shows matches at once.
            var knownOrganizations = (await db.Organizations.Select(o => o.Name).ToListAsync(cancellationToken)).ToHashSet();
            foreach (var seed in files.Nonprofits.Organizations.Where(o => !knownOrganizations.Contains(o.Name)))
            {
                var now = time.GetUtcNow();
                var organization = new Domain.Accounts.Organization(seed.Name, Domain.Accounts.OrganizationKind.Nonprofit, now);
                db.Organizations.Add(organization);
                await db.SaveChangesAsync(cancellationToken);
                foreach (var r in seed.Requests)
                {
                    db.NeedRequests.Add(ToRequest(organization.Id, r, now));
                    requestsAdded++;
                }
                await db.SaveChangesAsync(cancellationToken);
            }
            await demoAccounts.AddAsync(files.Nonprofits, cancellationToken);
            // The thesaurus is the verification team's once loaded (they edit it in the admin area): seeded only when empty.
            if (!await db.SynonymGroups.AnyAsync(cancellationToken))
            {
                db.SynonymGroups.AddRange(plan.Synonyms.Select(g => new SynonymGroup(g.Alternatives, time.GetUtcNow())));
                await db.SaveChangesAsync(cancellationToken);
            }
            if (ownTransaction is not null) await ownTransaction.CommitAsync(cancellationToken);
        }
        await indexer.RebuildAsync(cancellationToken);
        if (requestsAdded > 0) await matching.RunAsync(null, new Domain.Matching.MatchWeights(), cancellationToken);

        logger.LogInformation("Seed data loaded: {TermsAdded} terms added, {TermsUpdated} updated, {ProvidersAdded} providers added, {RequestsAdded} requests added",
            added, updated, providersAdded, requestsAdded);
        return new Outcome(added, updated, providersAdded, files.Providers.Providers.Count - providersAdded, requestsAdded);
    }

    /// <summary>Every record of every file, built as the database would receive it; the first bad one is named.</summary>
    private static Plan Validate(SeedFiles files)
    {
        var terms = new List<TaxonomyTerm>();
        void AddAll(TaxonomyKind kind, string what, IEnumerable<SeedTerm> seeds)
        {
            var keys = new HashSet<string>();
            foreach (var (t, i) in seeds.Select((t, i) => (t, i)))
            {
                var record = $"{what} « {t.Key} »";
                if (!keys.Add(t.Key)) throw new SeedDataException(kind == TaxonomyKind.Region ? "regions.json" : "taxonomy.json", record, "en double / duplicate");
                terms.Add(Build(kind == TaxonomyKind.Region ? "regions.json" : "taxonomy.json", record,
                    () => new TaxonomyTerm(kind, t.Key, t.LabelFr, t.LabelEn, i, t.DescriptionFr, t.DescriptionEn)));
            }
        }
        AddAll(TaxonomyKind.Category, "catégorie / category", files.Taxonomy.Categories);
        AddAll(TaxonomyKind.Language, "langue / language", files.Taxonomy.Languages);
        AddAll(TaxonomyKind.FundingProgram, "programme / funding program", files.Taxonomy.FundingPrograms);
        foreach (var r in files.Regions.Where(r => !RegionCodes.IsValid(r.Code)))
            throw new SeedDataException("regions.json", $"région / region « {r.Code} »", "code inconnu / unknown code");
        AddAll(TaxonomyKind.Region, "région / region", files.Regions.Select(r => new SeedTerm(r.Code, r.NameFr, r.NameEn)));

        var knownCategories = files.Taxonomy.Categories.Select(c => c.Key).ToHashSet();
        var knownLanguages = files.Taxonomy.Languages.Select(c => c.Key).ToHashSet();
        var knownFunding = files.Taxonomy.FundingPrograms.Select(c => c.Key).ToHashSet();
        var slugs = new HashSet<string>();
        var providers = new List<(SeedProvider, Provider)>();
        foreach (var seed in files.Providers.Providers)
        {
            if (!slugs.Add(seed.Slug)) throw new SeedDataException("providers.json", $"fournisseur / provider « {seed.Slug} »", "en double / duplicate");
            providers.Add((seed, ToProvider(seed, knownCategories, knownLanguages, knownFunding)));
        }

        var names = new HashSet<string>();
        foreach (var organization in files.Nonprofits.Organizations)
        {
            var record = $"organisme / organization « {organization.Name} »";
            if (!names.Add(organization.Name)) throw new SeedDataException("nonprofits.json", record, "en double / duplicate");
            Build("nonprofits.json", record, () => new Domain.Accounts.Organization(organization.Name, Domain.Accounts.OrganizationKind.Nonprofit, DateTimeOffset.UnixEpoch));
            foreach (var r in organization.Requests)
                Build("nonprofits.json", $"{record}, demande / request « {r.Title} »", () => ToRequest(1, r, DateTimeOffset.UnixEpoch));
            foreach (var person in organization.DemoUsers ?? [])
                DemoUser(person, record);
        }
        foreach (var account in files.Nonprofits.ProviderAccounts ?? [])
            foreach (var person in account.DemoUsers)
                DemoUser(person, $"compte fournisseur / provider account « {account.ProviderSlug} »");
        foreach (var group in files.Synonyms)
            Build(SeedFiles.ThesaurusFile, $"ligne / line {group.Line}", () => new SynonymGroup(group.Alternatives, DateTimeOffset.UnixEpoch));
        return new Plan(terms, providers, files.Synonyms);

        static void DemoUser(SeedDemoUser person, string record)
        {
            if (!person.Email.EndsWith(".invalid", StringComparison.OrdinalIgnoreCase))
                throw new SeedDataException("nonprofits.json", $"{record}, {person.Email}",
                    "les comptes de démonstration ont une adresse en .invalid / demonstration accounts use .invalid addresses");
        }
    }

    private static T Build<T>(string file, string record, Func<T> build)
    {
        try
        {
            return build();
        }
        catch (Exception e) when (e is DomainException or FormatException or ArgumentException or InvalidDataException)
        {
            throw new SeedDataException(file, record, e.Message, e);
        }
    }

    private static Domain.Matching.NeedRequest ToRequest(int organizationId, SeedRequest r, DateTimeOffset now) =>
        new(organizationId, r.Title, r.Description, r.Categories, r.Region,
            Enum.Parse<Domain.Matching.DeliveryPreference>(r.Delivery, ignoreCase: true), r.Language,
            Enum.Parse<Domain.Matching.BudgetRange>(r.Budget ?? "Unknown", ignoreCase: true),
            Enum.Parse<Domain.Matching.Timeline>(r.Timeline ?? "Flexible", ignoreCase: true), new Domain.Matching.ValuePreferences(r.PreferSocialEconomy, r.PreferLocal,
                r.NeedsFreeOrNonprofitPricing, r.FundingProgram), now);

    private async Task<(int Added, int Updated)> UpsertTermsAsync(List<TaxonomyTerm> wanted, CancellationToken cancellationToken)
    {
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
        catch (Exception e) when (e is DomainException or FormatException or ArgumentException or InvalidDataException)
        {
            throw new SeedDataException("providers.json", $"fournisseur / provider « {seed.Slug} »", e.Message, e);
        }
    }

    private static void Require(IReadOnlySet<string> known, IEnumerable<string> keys, string what)
    {
        var unknown = keys.FirstOrDefault(k => !known.Contains(k));
        if (unknown is not null) throw new InvalidDataException($"unknown {what} '{unknown}'");
    }
}
