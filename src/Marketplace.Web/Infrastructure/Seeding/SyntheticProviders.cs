using Marketplace.Web.Domain.Providers;
using Marketplace.Web.Domain.Taxonomy;
using Marketplace.Web.Infrastructure.Data;
using Marketplace.Web.Infrastructure.Search;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Web.Infrastructure.Seeding;

/// <summary>
/// Generates clearly synthetic published providers for benchmarks (« Fournisseur synthétique 00042 »). Deterministic:
/// the same count gives the same data, so benchmark runs can be compared.
/// </summary>
public sealed class SyntheticProviders(MarketplaceDbContext db, ISearchIndexer indexer, TimeProvider time)
{
    private static readonly string[] Words =
    [
        "accompagnement", "formation", "formations", "ateliers", "conformité", "renseignements", "personnels", "sécurité",
        "ordinateurs", "reconditionnés", "logiciels", "licences", "gestion", "membres", "donateurs", "bénévoles", "données",
        "impact", "site", "web", "infolettre", "réseaux", "sociaux", "télétravail", "collaboration", "infonuagique",
        "sauvegarde", "soutien", "technique", "diagnostic", "stratégie", "numérique", "inclusion", "aînés", "jeunes",
        "organismes", "communautaires", "coopérative", "économie", "sociale", "politique", "confidentialité", "mots",
        "passe", "courriel", "téléphonie", "réseau", "serveur", "migration", "tableaux", "bord", "sondages", "évaluation",
    ];

    public async Task<int> AddAsync(int count, CancellationToken cancellationToken)
    {
        var categories = await db.TaxonomyTerms.Where(t => t.Kind == TaxonomyKind.Category).OrderBy(t => t.Position)
            .Select(t => t.Key).ToListAsync(cancellationToken);
        var funding = await db.TaxonomyTerms.Where(t => t.Kind == TaxonomyKind.FundingProgram).Select(t => t.Key).ToListAsync(cancellationToken);
        var languages = await db.TaxonomyTerms.Where(t => t.Kind == TaxonomyKind.Language).Select(t => t.Key).ToListAsync(cancellationToken);
        if (categories.Count == 0) throw new InvalidOperationException("Load seed-data first: there is no category.");
        var start = await db.Providers.CountAsync(p => p.Origin == DataOrigin.Synthetic, cancellationToken);

        var random = new Random(20261121 + start);
        var legalForms = Enum.GetValues<LegalForm>();
        var pricings = Enum.GetValues<PricingModel>();
        var deliveries = Enum.GetValues<DeliveryMode>();
        var now = time.GetUtcNow();
        db.ChangeTracker.AutoDetectChangesEnabled = false;

        for (var i = 0; i < count; i++)
        {
            var n = start + i + 1;
            var legalForm = legalForms[random.Next(legalForms.Length)];
            var provider = new Provider($"synthetique-{n:00000}", $"Fournisseur synthétique {n:00000}", legalForm,
                legalForm is LegalForm.Obnl or LegalForm.Cooperative || random.Next(5) == 0,
                $"Fournisseur synthétique généré pour les essais de charge. {Sentence(random, 30)}",
                $"Synthetic provider generated for load tests. {Sentence(random, 20)}",
                headOfficeRegion: RegionCodes.All[random.Next(17)], origin: DataOrigin.Synthetic);
            var offeringCount = 1 + random.Next(3);
            for (var k = 0; k < offeringCount; k++)
            {
                var allQuebec = random.Next(8) == 0;
                provider.AddOffering(
                    categories[random.Next(categories.Count)],
                    Sentence(random, 25), Sentence(random, 15),
                    pricings[random.Next(pricings.Length)], deliveries[random.Next(deliveries.Length)], allQuebec,
                    allQuebec ? [] : Enumerable.Range(0, 1 + random.Next(3)).Select(_ => RegionCodes.All[random.Next(17)]),
                    random.Next(3) == 0 ? languages : [languages.Count > 0 ? languages[0] : "fr"],
                    funding.Count > 0 && random.Next(4) == 0 ? [funding[random.Next(funding.Count)]] : []);
            }
            provider.Publish(now.AddDays(-random.Next(700)));
            db.Providers.Add(provider);
            if ((i + 1) % 1000 == 0)
            {
                await db.SaveChangesAsync(cancellationToken);
                db.ChangeTracker.Clear();
            }
        }
        await db.SaveChangesAsync(cancellationToken);
        db.ChangeTracker.Clear();
        await indexer.RebuildAsync(cancellationToken);
        return count;
    }

    private static string Sentence(Random random, int words) =>
        string.Join(' ', Enumerable.Range(0, words).Select(_ => Words[random.Next(Words.Length)])) + ".";
}
