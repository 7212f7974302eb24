using System.Text.Json;
using Lucene.Net.Search;
using Lucene.Net.Search.Highlight;
using Marketplace.Tests.Support;
using Marketplace.Web.Infrastructure.Search;
using Marketplace.Web.Infrastructure.Seeding;

namespace Marketplace.Tests.Unit;

/// <summary>
/// The cards' passages (<see cref="PassageMarker"/>) are the ones Lucene's highlighter chooses with a query-term scorer
/// and a simple fragmenter, written the same way: every text of the seed data and long made-up ones, for the judged
/// set's kind of queries, compared with the highlighter itself.
/// </summary>
public sealed class PassageMarkerTests
{
    private static readonly Lucene.Net.Analysis.Analyzer Analyzer = LuceneFields.CreateAnalyzer();

    private static readonly string[] Queries =
    [
        "formation", "ordinateurs reconditionnés", "audit numérique", "loi 25", "protection des renseignements personnels",
        "refurbished computers", "CRM", "gestion des membres", "site web", "cybersécurité", "accompagnement numérique",
        "privacy training", "données ouvertes", "logiciel libre", "hébergement", "communautaire",
    ];

    private static readonly string[] Fields =
    [
        LuceneFields.OfferingsFr, LuceneFields.DescriptionFr, LuceneFields.CategoriesFr, LuceneFields.OfferingsEn, LuceneFields.DescriptionEn,
    ];

    private static IEnumerable<string> SeedTexts()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(MarketplaceFactory.RepositoryRoot, "seed-data", "providers.json")));
        foreach (var provider in json.RootElement.GetProperty("providers").EnumerateArray())
        {
            foreach (var key in new[] { "descriptionFr", "descriptionEn" })
                if (provider.TryGetProperty(key, out var text) && text.ValueKind == JsonValueKind.String) yield return text.GetString()!;
            foreach (var offering in provider.GetProperty("offerings").EnumerateArray())
                foreach (var key in new[] { "descriptionFr", "descriptionEn" })
                    if (offering.TryGetProperty(key, out var text) && text.ValueKind == JsonValueKind.String) yield return text.GetString()!;
        }
    }

    private static IEnumerable<string> MadeUpTexts()
    {
        var words = "formation ordinateurs <b>reconditionnés</b> & audit « numérique » l'accompagnement des membres, loi 25 : renseignements personnels; site web d'hébergement cybersécurité privacy training refurbished computers données ouvertes logiciel libre communautaire".Split(' ');
        var random = new Random(13);
        for (var n = 0; n < 40; n++)
        {
            var length = random.Next(5, 400);
            yield return "  " + string.Join(random.Next(3) == 0 ? "  " : " ", Enumerable.Range(0, length).Select(_ => words[random.Next(words.Length)])) + " ";
        }
        yield return string.Join(' ', Enumerable.Repeat("texte sans rapport", 1500)) + " formation à la fin, au-delà de ce qui est lu";
    }

    [Test]
    public void Every_passage_is_the_one_lucenes_highlighter_chooses_written_the_same_way()
    {
        var thesaurus = new Thesaurus(SeedFiles.ReadThesaurus(File.ReadAllLines(Path.Combine(MarketplaceFactory.RepositoryRoot, "seed-data", SeedFiles.ThesaurusFile)))
            .Select(g => g.Alternatives));
        var builder = new LuceneQueryBuilder(Analyzer);
        var texts = SeedTexts().Concat(MadeUpTexts()).ToList();
        var compared = 0;
        var marked = 0;
        foreach (var text in Queries)
        {
            var query = builder.Build(text, thesaurus, _ => true)!.Query;
            var marker = new PassageMarker(query, Analyzer, Fields);
            foreach (var field in Fields)
            {
                var highlighter = new Highlighter(new SimpleHTMLFormatter("<mark>", "</mark>"), new Markup(), new QueryTermScorer(query, field))
                {
                    TextFragmenter = new SimpleFragmenter(PassageMarker.PassageLength),
                    MaxDocCharsToAnalyze = 20_000,
                };
                foreach (var body in texts)
                {
                    var fragment = highlighter.GetBestFragment(Analyzer, field, body);
                    var passage = marker.Best(field, body);
                    var expected = fragment is null ? null : Ellipsis(fragment, body);
                    Assert.That(passage?.ToHtml(), Is.EqualTo(expected), $"« {text} » in {field}: {body}");
                    if (fragment is not null) Assert.That(passage!.Words, Is.EqualTo(MarkedWords(fragment)));
                    compared++;
                    if (fragment is not null) marked++;
                }
            }
        }
        TestContext.Out.WriteLine($"{compared} texts compared, {marked} with a passage");
        Assert.That(marked, Is.GreaterThan(200), "the comparison must see many passages, not only texts without any");
    }

    [Test]
    public void A_passage_keeps_markup_as_text_and_marks_only_the_matched_words()
    {
        var query = new TermQuery(new Lucene.Net.Index.Term(LuceneFields.DescriptionFr, "ornithorynqu"));
        var marker = new PassageMarker(query, Analyzer, [LuceneFields.DescriptionFr]);
        var html = marker.Best(LuceneFields.DescriptionFr, "Un ornithorynque <script>x</script> <mark>faux</mark> & « fin ».")!.ToHtml();
        Assert.That(html, Is.EqualTo("Un <mark>ornithorynque</mark> &lt;script&gt;x&lt;/script&gt; &lt;mark&gt;faux&lt;/mark&gt; &amp; « fin »."));
        Assert.That(marker.Best(LuceneFields.DescriptionFr, "Rien à voir."), Is.Null);
        Assert.That(marker.Best(LuceneFields.OfferingsFr, "Un ornithorynque."), Is.Null, "another field's words are not this field's");
    }

    [Test]
    public void A_card_looks_for_a_word_only_in_the_fields_where_the_index_holds_it()
    {
        var query = new LuceneQueryBuilder(Analyzer).Build("ornithorynque", new Thesaurus([]), _ => true)!.Query;
        var listing = new ListingText("Nom", "Une description sans rapport.", null,
            [new OfferingText("formation", "Un atelier sur l'ornithorynque.", null)]);

        var everywhere = new CardPassages(query, Analyzer, "fr", new Dictionary<string, CategoryText>(), _ => true);
        Assert.That(everywhere.Of(listing), Is.EqualTo("Un atelier sur <mark>l&#39;ornithorynque</mark>."));

        // The index has the word in no listing's offerings (an edit not applied yet): the card's offerings are not read.
        var notInOfferings = new CardPassages(query, Analyzer, "fr", new Dictionary<string, CategoryText>(), term => term.Field != LuceneFields.OfferingsFr);
        Assert.That(notInOfferings.Of(listing), Is.Null);
        Assert.That(notInOfferings.Of(listing with { DescriptionFr = "L'ornithorynque, encore." }), Is.EqualTo("<mark>L&#39;ornithorynque</mark>, encore."));
    }

    [Test]
    public void Of_the_passages_with_every_word_the_first_is_kept_whole()
    {
        var query = new TermQuery(new Lucene.Net.Index.Term(LuceneFields.DescriptionFr, "ornithorynqu"));
        var marker = new PassageMarker(query, Analyzer, [LuceneFields.DescriptionFr]);
        var text = "Un ornithorynque " + string.Join(' ', Enumerable.Repeat("mot", 100)) + " ornithorynque ornithorynque ornithorynque.";
        var passage = marker.Best(LuceneFields.DescriptionFr, text)!;
        Assert.That(passage.Start, Is.Zero);
        Assert.That(passage.Marks, Has.Count.EqualTo(1));
        Assert.That(passage.ToHtml(), Does.StartWith("Un <mark>ornithorynque</mark> mot").And.EndWith(" …"));
    }

    // What the site wrote before, with Lucene's highlighter.
    private static string Ellipsis(string fragment, string text)
    {
        var plain = fragment.Replace("<mark>", "", StringComparison.Ordinal).Replace("</mark>", "", StringComparison.Ordinal);
        var decoded = System.Net.WebUtility.HtmlDecode(plain).Trim();
        var starts = text.TrimStart().StartsWith(decoded, StringComparison.Ordinal);
        var ends = text.TrimEnd().EndsWith(decoded, StringComparison.Ordinal);
        return (starts ? "" : "… ") + fragment.Trim() + (ends ? "" : " …");
    }

    private static int MarkedWords(string fragment) =>
        fragment.Split("<mark>").Skip(1).Select(part => part[..Math.Max(0, part.IndexOf("</mark>", StringComparison.Ordinal))].ToLowerInvariant())
            .Distinct().Count();

    private sealed class Markup : IEncoder
    {
        public string EncodeText(string originalText) => originalText
            .Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal)
            .Replace(">", "&gt;", StringComparison.Ordinal).Replace("\"", "&quot;", StringComparison.Ordinal)
            .Replace("'", "&#39;", StringComparison.Ordinal);
    }
}
