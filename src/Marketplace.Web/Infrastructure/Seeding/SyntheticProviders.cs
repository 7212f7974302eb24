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

    // Descriptions look like a real corpus: a few domain words per sentence among words that follow Zipf's law over a
    // vocabulary of made-up words, so that a common domain word matches about a third of the directory, not all of it.
    private const int DomainWordsPerSentence = 2;
    private static readonly string[] Filler = MakeFiller(3000);
    private static readonly double[] FillerCumulative = ZipfCumulative(Filler.Length);

    private static string Sentence(Random random, int words)
    {
        var picked = new string[words];
        for (var i = 0; i < words; i++)
            picked[i] = i < DomainWordsPerSentence
                ? Words[random.Next(Words.Length)]
                : FillerWord(random);
        random.Shuffle(picked);
        return string.Join(' ', picked) + ".";
    }

    private static string FillerWord(Random random)
    {
        var at = Array.BinarySearch(FillerCumulative, random.NextDouble());
        return Filler[Math.Min(at < 0 ? ~at : at, Filler.Length - 1)];
    }

    private static string[] MakeFiller(int count)
    {
        string[] onsets = ["b", "d", "f", "g", "l", "m", "n", "p", "r", "s", "t", "v", "ch", "tr", "pl"];
        string[] vowels = ["a", "e", "i", "o", "u", "ou", "é", "an", "on"];
        var random = new Random(42);
        var words = new HashSet<string>(StringComparer.Ordinal);
        while (words.Count < count)
        {
            var syllables = 2 + random.Next(3);
            words.Add(string.Concat(Enumerable.Range(0, syllables).Select(_ => onsets[random.Next(onsets.Length)] + vowels[random.Next(vowels.Length)])));
        }
        return words.ToArray();
    }

    private static double[] ZipfCumulative(int count)
    {
        var cumulative = new double[count];
        var total = 0.0;
        for (var i = 0; i < count; i++) cumulative[i] = total += 1.0 / (i + 1);
        for (var i = 0; i < count; i++) cumulative[i] /= total;
        return cumulative;
    }
}
