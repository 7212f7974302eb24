using System.Globalization;
using System.Resources;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Marketplace.Tests.Support;
using Marketplace.Web.Domain.Providers;
using Marketplace.Web.Infrastructure.Search;

namespace Marketplace.Tests.Unit;

/// <summary>French first: every string the site can show exists in French (the neutral resources) and in English.</summary>
public sealed partial class ResourceTests
{
    private static readonly string Resources = Path.Combine(MarketplaceFactory.RepositoryRoot, "src", "Marketplace.Web", "Resources");

    private static Dictionary<string, string> Read(string file) =>
        XDocument.Load(Path.Combine(Resources, file)).Root!.Elements("data")
            .ToDictionary(d => d.Attribute("name")!.Value, d => d.Element("value")?.Value ?? "");

    private static IEnumerable<string> KeysUsedInCode()
    {
        var source = Path.Combine(MarketplaceFactory.RepositoryRoot, "src", "Marketplace.Web");
        foreach (var file in Directory.EnumerateFiles(source, "*.*", SearchOption.AllDirectories)
                     .Where(f => f.EndsWith(".cs") || f.EndsWith(".cshtml"))
                     .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")))
        {
            var code = File.ReadAllText(file);
            foreach (Match match in UsedKey().Matches(code))
                yield return match.Groups[1].Value;
            foreach (Match match in CountedKey().Matches(code))
            {
                yield return match.Groups[1].Value + ".One";
                yield return match.Groups[1].Value + ".Many";
            }
        }
        foreach (var facet in Enum.GetNames<Facet>()) yield return $"Facet.{facet}";
        foreach (var sort in Enum.GetNames<SearchSort>()) yield return $"Search.Sort.{sort}";
        foreach (var origin in new[] { "PublicDocuments", "Fictional", "Synthetic" }) yield return $"Origin.{origin}";
        foreach (var key in Facets.LegalFormKeys()) yield return $"LegalForm.{key}";
        foreach (var value in EnumKeys<PricingModel>.All) yield return $"Pricing.{EnumKeys<PricingModel>.Key(value)}";
        foreach (var value in EnumKeys<DeliveryMode>.All) yield return $"Delivery.{EnumKeys<DeliveryMode>.Key(value)}";
        // Issue 4: the diagnostic's questions, options and reasons, the request's choices, and the match explanations.
        foreach (var question in Marketplace.Web.Features.Needs.Diagnostic.Questions)
        {
            yield return $"Diagnostic.Q.{question.Key}";
            foreach (var option in question.Options) yield return $"Diagnostic.Q.{question.Key}.{option}";
        }
        foreach (var category in DiagnosticTests.TaxonomyCategories()) yield return $"Diagnostic.Why.{category}";
        foreach (var name in Enum.GetNames<Marketplace.Web.Domain.Matching.DeliveryPreference>()) yield return $"Needs.Delivery.{name}";
        foreach (var name in Enum.GetNames<Marketplace.Web.Domain.Matching.BudgetRange>()) yield return $"Needs.Budget.{name}";
        foreach (var name in Enum.GetNames<Marketplace.Web.Domain.Matching.Timeline>()) yield return $"Needs.Timeline.{name}";
        foreach (var name in Enum.GetNames<Marketplace.Web.Domain.Matching.DismissalReason>()) yield return $"Needs.Dismissal.{name}";
        foreach (var name in Enum.GetNames<Marketplace.Web.Domain.Matching.RequestStatus>())
        {
            yield return $"Needs.Status.{name}";
            yield return $"Needs.StatusHelp.{name}";
            yield return $"Needs.Status.Done.{name}";
        }
        foreach (var name in Enum.GetNames<Marketplace.Web.Domain.Matching.MatchFactor>()) yield return $"Match.Factor.{name}";
        foreach (var language in new[] { "fr", "en" }) yield return $"Match.Why.Language.{language}";
        foreach (var job in new[] { "matching", "digest" }) yield return $"Jobs.Name.{job}";
        foreach (var action in Enum.GetNames<Marketplace.Web.Domain.Listings.AuditAction>()) yield return $"Audit.{action}";
    }

    [Test]
    public void Every_key_exists_in_french_and_in_english_and_is_not_empty()
    {
        var french = Read("SharedResource.resx");
        var english = Read("SharedResource.en.resx");
        Assert.That(english.Keys.Except(french.Keys), Is.Empty, "keys missing in French");
        Assert.That(french.Keys.Except(english.Keys), Is.Empty, "keys missing in English");
        Assert.That(french.Where(p => string.IsNullOrWhiteSpace(p.Value)).Select(p => p.Key), Is.Empty, "empty French strings");
        Assert.That(english.Where(p => string.IsNullOrWhiteSpace(p.Value)).Select(p => p.Key), Is.Empty, "empty English strings");
    }

    [Test]
    public void Every_key_the_code_uses_exists_in_french()
    {
        var french = Read("SharedResource.resx");
        var used = KeysUsedInCode().Distinct().ToArray();
        Assert.That(used, Has.Length.GreaterThan(50));
        Assert.That(used.Where(k => !french.ContainsKey(k)), Is.Empty);
    }

    [Test]
    public void The_interface_calls_the_curators_the_verification_team()
    {
        // « Conservation » sounded like a museum to the people who use the site; « curateur » names the Curateur public.
        var french = Read("SharedResource.resx").Where(p => FrenchCuratorWording().IsMatch(p.Value)).Select(p => p.Key);
        var english = Read("SharedResource.en.resx").Where(p => EnglishCuratorWording().IsMatch(p.Value)).Select(p => p.Key);
        Assert.That(french, Is.Empty, "French strings that still say « conservation »");
        Assert.That(english, Is.Empty, "English strings that still say curator or curation");
        Assert.That(Read("SharedResource.resx")["Role.Curator"], Is.EqualTo("équipe de vérification"));
    }

    [Test]
    public void Placeholders_agree_between_languages()
    {
        var french = Read("SharedResource.resx");
        var english = Read("SharedResource.en.resx");
        foreach (var (key, value) in french)
        {
            var fr = Placeholder().Matches(value).Select(m => m.Value).Order().ToArray();
            var en = Placeholder().Matches(english[key]).Select(m => m.Value).Order().ToArray();
            Assert.That(en, Is.EqualTo(fr), key);
        }
    }

    [Test]
    public void No_text_writes_its_plural_in_parentheses_and_every_counted_text_has_both_forms()
    {
        foreach (var file in new[] { "SharedResource.resx", "SharedResource.en.resx" })
        {
            var texts = Read(file);
            Assert.That(texts.Where(p => ParenthesizedPlural().IsMatch(p.Value)).Select(p => p.Key), Is.Empty, $"« (s) » plurals in {file}");
            var counted = texts.Keys.Where(k => k.EndsWith(".One") || k.EndsWith(".Many")).Select(k => k[..k.LastIndexOf('.')]).Distinct();
            Assert.That(counted.Where(k => !texts.ContainsKey(k + ".One") || !texts.ContainsKey(k + ".Many")), Is.Empty, file);
        }
    }

    [TestCase(0, false, true)]
    [TestCase(1, false, true)]
    [TestCase(2, false, false)]
    [TestCase(0, true, false)]
    [TestCase(1, true, true)]
    [TestCase(2, true, false)]
    public void French_counts_zero_and_one_as_singular_english_only_one(long count, bool english, bool singular) =>
        Assert.That(Marketplace.Web.Infrastructure.Localization.Plurals.IsSingular(count, english), Is.EqualTo(singular));

    [Test]
    public void French_is_what_the_compiled_resources_give_by_default()
    {
        var manager = new ResourceManager("Marketplace.Web.Resources.SharedResource", typeof(Marketplace.Web.SharedResource).Assembly);
        Assert.That(manager.GetString("Layout.Search", CultureInfo.GetCultureInfo("fr-CA")), Is.EqualTo("Rechercher"));
        Assert.That(manager.GetString("Layout.Search", CultureInfo.InvariantCulture), Is.EqualTo("Rechercher"));
        Assert.That(manager.GetString("Layout.Search", CultureInfo.GetCultureInfo("en-CA")), Is.EqualTo("Search"));
    }

    [GeneratedRegex(@"(?:\bT|\btext)\[""([A-Za-z][A-Za-z.\-]+)""")]
    private static partial Regex UsedKey();

    [GeneratedRegex(@"(?:\bT|\btext)\.Plural\(""([A-Za-z][A-Za-z.\-]+)""")]
    private static partial Regex CountedKey();

    [GeneratedRegex(@"\w\((s|x|e|es)\)")]
    private static partial Regex ParenthesizedPlural();

    // « calendrier / durée / lieu de conservation » is the Act's word for keeping information (retention), not curators.
    [GeneratedRegex(@"\b((?<!\bde )conservation|conservat(eur|eurs|rice|rices)|curat(eur|eurs|rice|rices))\b", RegexOptions.IgnoreCase)]
    private static partial Regex FrenchCuratorWording();

    [GeneratedRegex(@"\bcurat(or|ors|ion)\b", RegexOptions.IgnoreCase)]
    private static partial Regex EnglishCuratorWording();

    [GeneratedRegex(@"\{\d+\}")]
    private static partial Regex Placeholder();
}
