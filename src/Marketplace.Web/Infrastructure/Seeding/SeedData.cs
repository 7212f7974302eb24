using System.Text.Json;
using System.Text.Json.Serialization;

namespace Marketplace.Web.Infrastructure.Seeding;

/// <summary>The shape of the files in seed-data/ (see seed-data/README.md).</summary>
public sealed record SeedFiles(SeedTaxonomy Taxonomy, IReadOnlyList<SeedRegion> Regions, SeedProviders Providers,
    SeedNonprofits Nonprofits)
{
    public const string ThesaurusFile = "synonymes.txt";

    /// <summary>The search thesaurus: one group per line, alternatives separated by commas, « # » starts a comment.</summary>
    public IReadOnlyList<SeedSynonymGroup> Synonyms { get; init; } = [];

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        // A null or missing value where the records say one is required is an error of the file, found while reading it,
        // not a NullReferenceException halfway through loading.
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    public static SeedFiles Load(string directory)
    {
        if (!Directory.Exists(directory))
            throw new SeedDataException(directory, "dossier / directory", "introuvable / not found");
        return new SeedFiles(
            Read<SeedTaxonomy>(directory, "taxonomy.json"),
            Read<List<SeedRegion>>(directory, "regions.json"),
            Read<SeedProviders>(directory, "providers.json"),
            File.Exists(Path.Combine(directory, "nonprofits.json"))
                ? Read<SeedNonprofits>(directory, "nonprofits.json")
                : new SeedNonprofits("", []))
        {
            Synonyms = File.Exists(Path.Combine(directory, ThesaurusFile))
                ? ReadThesaurus(File.ReadAllLines(Path.Combine(directory, ThesaurusFile)))
                : [],
        };
    }

    /// <summary>Reads the thesaurus lines; a group with fewer than two alternatives names its line.</summary>
    public static IReadOnlyList<SeedSynonymGroup> ReadThesaurus(IReadOnlyList<string> lines)
    {
        var groups = new List<SeedSynonymGroup>();
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            var comment = line.IndexOf('#');
            if (comment >= 0) line = line[..comment];
            if (string.IsNullOrWhiteSpace(line)) continue;
            var alternatives = Domain.Taxonomy.SynonymGroup.Parse(line);
            if (alternatives.Count < 2)
                throw new SeedDataException(ThesaurusFile, $"ligne / line {i + 1}", "au moins deux synonymes / at least two synonyms");
            groups.Add(new SeedSynonymGroup(i + 1, alternatives));
        }
        return groups;
    }

    private static T Read<T>(string directory, string file)
    {
        try
        {
            using var stream = File.OpenRead(Path.Combine(directory, file));
            return JsonSerializer.Deserialize<T>(stream, Json) ?? throw new SeedDataException(file, "fichier / file", "vide / empty");
        }
        catch (JsonException e)
        {
            var at = e.LineNumber is { } line ? $"ligne / line {line + 1}" : "fichier / file";
            throw new SeedDataException(file, e.Path is { Length: > 0 } path ? $"{at}, {path}" : at,
                $"JSON invalide / invalid JSON: {e.Message.Split(" Path:")[0]}", e);
        }
        catch (FileNotFoundException e)
        {
            throw new SeedDataException(file, "fichier / file", "absent / missing", e);
        }
    }
}

/// <summary>
/// A seed file that cannot be loaded: which file, which record, what is wrong. Nothing was written (issue 12, ADR 0021);
/// the command prints this one line and exits with 1, and the site does not start.
/// </summary>
public sealed class SeedDataException(string file, string record, string problem, Exception? inner = null)
    : Exception($"seed-data invalide, rien n'a été chargé / invalid seed data, nothing was loaded: {file}, {record}: {problem}", inner)
{
    public string File { get; } = file;
    public string Record { get; } = record;
}

/// <summary>One line of seed-data/synonymes.txt.</summary>
public sealed record SeedSynonymGroup(int Line, IReadOnlyList<string> Alternatives);

public sealed record SeedTaxonomy(
    IReadOnlyList<SeedTerm> Categories,
    IReadOnlyList<SeedTerm> Languages,
    IReadOnlyList<SeedTerm> FundingPrograms);

public sealed record SeedTerm(string Key, string LabelFr, string LabelEn, string? DescriptionFr = null, string? DescriptionEn = null);

public sealed record SeedRegion(string Code, string NameFr, string NameEn);

public sealed record SeedProviders(string Notice, IReadOnlyList<SeedProvider> Providers);

public sealed record SeedProvider(
    string Slug,
    string Name,
    string LegalForm,
    string? Neq,
    bool SocialEconomy,
    string? HeadOfficeRegion,
    string? Website,
    string DescriptionFr,
    string? DescriptionEn,
    string Status,
    DateOnly? VerifiedOn,
    string Origin,
    IReadOnlyList<string> Sources,
    IReadOnlyList<SeedOffering> Offerings,
    string? PublicEmail = null,
    string? PublicPhone = null,
    string? ContactPage = null);

public sealed record SeedOffering(
    string Category,
    string DescriptionFr,
    string? DescriptionEn,
    string Pricing,
    string Delivery,
    bool AllQuebec,
    IReadOnlyList<string> Regions,
    IReadOnlyList<string> Languages,
    IReadOnlyList<string> FundingPrograms);

/// <summary>Fictional demonstration nonprofits and their open requests (seed-data/nonprofits.json).</summary>
public sealed record SeedNonprofits(string Notice, IReadOnlyList<SeedNonprofit> Organizations,
    IReadOnlyList<SeedProviderAccount>? ProviderAccounts = null);

/// <summary>A fictional account (an address ending in .invalid), opted in to the weekly digest.</summary>
public sealed record SeedDemoUser(string Email, string DisplayName, string? Language = null);

/// <summary>A provider organization of fictional people managing a fictional listing of providers.json.</summary>
public sealed record SeedProviderAccount(string ProviderSlug, string Organization, IReadOnlyList<SeedDemoUser> DemoUsers);

public sealed record SeedNonprofit(string Name, IReadOnlyList<SeedRequest> Requests, IReadOnlyList<SeedDemoUser>? DemoUsers = null);

public sealed record SeedRequest(
    string Title,
    string Description,
    IReadOnlyList<string> Categories,
    string Region,
    string Delivery,
    string Language,
    bool PreferSocialEconomy,
    bool PreferLocal,
    bool NeedsFreeOrNonprofitPricing,
    string? FundingProgram,
    string? Budget = null,
    string? Timeline = null);
