using System.Text.Json;

namespace Marketplace.Tests.Support;

/// <summary>
/// Reads seed-data/*.json on its own (not through the site's loader) and answers filters by brute force, so the
/// site's facet counts can be checked against an independent count.
/// </summary>
public sealed class SeedDataOracle
{
    public sealed record Provider(string Slug, string Name, string Status, IReadOnlyDictionary<string, HashSet<string>> Values);

    public static readonly string[] FacetNames = ["category", "region", "language", "pricing", "legalForm", "delivery", "funding"];

    /// <summary>The value of a provider whose region (or language) is not stated for some offering, and the facets that have it.</summary>
    public const string Unknown = "non-precisee";

    /// <summary>The pricing value of an offering whose pricing is not stated (an ordinary pricing key in the seed).</summary>
    public const string PricingUnknown = "non-precise";

    /// <summary>The unknown value of each facet that has one: a selection of other values also keeps it unless strict.</summary>
    public static readonly IReadOnlyDictionary<string, string> UnknownOf = new Dictionary<string, string>
    {
        ["region"] = Unknown,
        ["language"] = Unknown,
        ["pricing"] = PricingUnknown,
    };
    public const string Strict = "strict";

    public IReadOnlyList<Provider> Providers { get; }
    public IReadOnlyList<Provider> Published => Providers.Where(p => p.Status == "published").ToArray();

    private SeedDataOracle(IReadOnlyList<Provider> providers) => Providers = providers;

    public static SeedDataOracle Load()
    {
        var path = Path.Combine(MarketplaceFactory.RepositoryRoot, "seed-data", "providers.json");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var allRegions = Enumerable.Range(1, 17).Select(i => i.ToString("00")).ToArray();
        var providers = new List<Provider>();
        foreach (var p in document.RootElement.GetProperty("providers").EnumerateArray())
        {
            var values = FacetNames.ToDictionary(f => f, _ => new HashSet<string>());
            bool allQuebec = false, noRegion = false;
            values["legalForm"].Add(p.GetProperty("legalForm").GetString()!);
            if (p.GetProperty("socialEconomy").GetBoolean()) values["legalForm"].Add("economie-sociale");
            foreach (var o in p.GetProperty("offerings").EnumerateArray())
            {
                values["category"].Add(o.GetProperty("category").GetString()!);
                values["pricing"].Add(o.GetProperty("pricing").GetString()!);
                values["delivery"].Add(o.GetProperty("delivery").GetString()!);
                if (o.GetProperty("allQuebec").GetBoolean()) values["region"].UnionWith(allRegions);
                allQuebec |= o.GetProperty("allQuebec").GetBoolean();
                noRegion |= o.GetProperty("regions").GetArrayLength() == 0;
                foreach (var r in o.GetProperty("regions").EnumerateArray()) values["region"].Add(r.GetString()!);
                foreach (var l in o.GetProperty("languages").EnumerateArray()) values["language"].Add(l.GetString()!);
                if (o.GetProperty("languages").GetArrayLength() == 0) values["language"].Add(Unknown);
                foreach (var f in o.GetProperty("fundingPrograms").EnumerateArray()) values["funding"].Add(f.GetString()!);
            }
            // Serving all of Quebec is known to reach every region; otherwise an offering stating none makes it unknown.
            if (!allQuebec && noRegion) values["region"].Add(Unknown);
            providers.Add(new Provider(p.GetProperty("slug").GetString()!, p.GetProperty("name").GetString()!,
                p.GetProperty("status").GetString()!, values));
        }
        return new SeedDataOracle(providers);
    }

    /// <summary>
    /// The providers passing every facet's selection (but <paramref name="exceptFacet"/>'s). Unknown is not "no": a
    /// selection of regions (languages, pricing models) also passes a provider whose value is unknown (an offering states
    /// none), unless <c>strict</c> names the facet (<paramref name="filters"/> may hold a <c>strict</c> entry).
    /// </summary>
    public IEnumerable<Provider> Matching(IReadOnlyDictionary<string, string[]> filters, string? exceptFacet = null)
    {
        var strict = filters.GetValueOrDefault(Strict) ?? [];
        return Published.Where(p => filters.Where(f => f.Key != Strict).All(f => f.Key == exceptFacet
            || f.Value.Any(v => p.Values[f.Key].Contains(v))
            || (UnknownOf.TryGetValue(f.Key, out var unknown) && !strict.Contains(f.Key) && f.Value.Any(v => v != unknown)
                && p.Values[f.Key].Contains(unknown))));
    }

    /// <summary>Disjunctive count: the filters of every other facet apply, not the facet's own.</summary>
    public int FacetCount(IReadOnlyDictionary<string, string[]> filters, string facet, string value) =>
        Matching(filters, exceptFacet: facet).Count(p => p.Values[facet].Contains(value));
}
