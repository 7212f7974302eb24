using System.Text.Json;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Search.Similarities;
using Lucene.Net.Store;
using Marketplace.Tests.Support;
using Marketplace.Web.Infrastructure.Search;
using Marketplace.Web.Infrastructure.Seeding;

namespace Marketplace.Tests.Unit;

/// <summary>
/// Reading a query one field at a time (<see cref="ClauseAtATime"/>) finds exactly the documents Lucene's own scorers
/// find, with the same scores: an index of the seed data in several segments, with deleted documents, and the judged
/// set's kind of queries (thesaurus groups, phrases, prefixes, the approximate twin).
/// </summary>
public sealed class ClauseAtATimeTests
{
    private static readonly Lucene.Net.Analysis.Analyzer Analyzer = LuceneFields.CreateAnalyzer();

    [Test]
    public void Every_query_finds_the_documents_and_scores_lucene_finds()
    {
        using var directory = new RAMDirectory();
        var texts = SeedTexts().ToList();
        using (var writer = new IndexWriter(directory, new IndexWriterConfig(LuceneFields.Version, Analyzer) { Similarity = new BM25Similarity() }))
        {
            // Three rounds, committed apart (three segments at least), and some documents replaced: deleted ones stay in the segments.
            for (var round = 0; round < 3; round++)
            {
                foreach (var text in texts.Where((_, i) => i % 3 == round)) writer.AddDocument(LuceneSearchIndex.ToDocument(text));
                writer.Commit();
            }
            foreach (var text in texts.Where((_, i) => i % 7 == 0))
                writer.UpdateDocument(new Term(LuceneFields.Id, text.ProviderId.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                    LuceneSearchIndex.ToDocument(text with { DescriptionFr = text.DescriptionFr + " formation" }));
            writer.Commit();
        }
        using var reader = DirectoryReader.Open(directory);
        Assert.That(reader.Leaves, Has.Count.GreaterThanOrEqualTo(3));
        Assert.That(reader.HasDeletions, Is.True);
        var searcher = new IndexSearcher(reader) { Similarity = new BM25Similarity() };
        var thesaurus = new Thesaurus(SeedFiles.ReadThesaurus(File.ReadAllLines(Path.Combine(MarketplaceFactory.RepositoryRoot, "seed-data", SeedFiles.ThesaurusFile)))
            .Select(g => g.Alternatives));
        var builder = new LuceneQueryBuilder(Analyzer);

        var queries = 0;
        var pool = new TermsEnumPool(); // shared by every query below: a reader lent again must seek as well as a new one
        foreach (var text in new[]
                 {
                     "formation", "ordinateurs reconditionnés", "audit numérique", "loi 25", "loi25", "protection des renseignements personnels",
                     "refurbished computers", "CRM", "gestion des membres", "site web", "cyber", "accompagnement numérique organismes",
                     "privacy training", "formaton", "numérique", "ordi", "communautaire montréal",
                 })
        {
            var plan = builder.Build(text, thesaurus, word => reader.DocFreq(new Term(LuceneFields.AllPlain, word)) > 0)!;
            foreach (var query in new[] { plan.Query, plan.Approximate }.OfType<Query>())
            {
                AssertAsLucene(searcher, query, queries % 2 == 0 ? pool : null, text);
                queries++;
            }
        }
        Assert.That(queries, Is.GreaterThan(20));
    }

    [Test]
    public void A_word_in_thousands_of_documents_scores_as_lucene_scores_it()
    {
        // Long lists are read through a table of the scores of a word seen once: names and descriptions of many lengths,
        // the word once, twice or three times, and two segments with deleted documents.
        using var directory = new RAMDirectory();
        using (var writer = new IndexWriter(directory, new IndexWriterConfig(LuceneFields.Version, Analyzer) { Similarity = new BM25Similarity() }))
        {
            var filler = new[] { "réseau", "soutien", "organismes", "communautaires", "formation", "logiciels", "accompagnement", "données" };
            for (var id = 1; id <= 5000; id++)
            {
                var words = string.Join(' ', Enumerable.Range(0, id % 37).Select(i => filler[(id + i) % filler.Length]));
                var repeated = string.Join(' ', Enumerable.Repeat("synthétique", id % 3 + 1));
                writer.AddDocument(LuceneSearchIndex.ToDocument(new TextDocument(id, $"Fournisseur synthétique {id} {words[..Math.Min(words.Length, id % 60)]}",
                    "", "", "", "", $"{repeated} {words}", id % 2 == 0 ? "synthetic provider" : "")));
                if (id == 2500) writer.Commit();
            }
            writer.Commit();
            for (var id = 1; id <= 5000; id += 11)
                writer.DeleteDocuments(new Term(LuceneFields.Id, id.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            writer.Commit();
        }
        using var reader = DirectoryReader.Open(directory);
        Assert.That(reader.Leaves, Has.Count.GreaterThanOrEqualTo(2));
        var searcher = new IndexSearcher(reader) { Similarity = new BM25Similarity() };
        var builder = new LuceneQueryBuilder(Analyzer);
        foreach (var text in new[] { "synthetique", "fournisseur synthétique", "synthetique formation" })
        {
            var plan = builder.Build(text, new Thesaurus([]), word => reader.DocFreq(new Term(LuceneFields.AllPlain, word)) > 0)!;
            Assert.That(AssertAsLucene(searcher, plan.Query, new TermsEnumPool(), text), Is.GreaterThan(2048), $"« {text} » is a broad word");
        }
    }

    /// <summary>Collects <paramref name="query"/> one clause at a time and compares it with Lucene's own scorers; returns how many matched.</summary>
    private static int AssertAsLucene(IndexSearcher searcher, Query query, TermsEnumPool? pool, string text)
    {
        Assert.That(ClauseAtATime.Reads(query), Is.True, text);
        var expected = new Dictionary<int, float>();
        searcher.Search(query, new Everything(expected));
        var docs = new int[searcher.IndexReader.MaxDoc];
        var scores = new float[searcher.IndexReader.MaxDoc];
        var count = ClauseAtATime.Collect(searcher, query, docs, scores, pool);
        Assert.That(docs[..count], Is.EqualTo(expected.Keys.Order().ToArray()), $"« {text} »: the same documents, in document order");
        for (var i = 0; i < count; i++)
            Assert.That(scores[i], Is.EqualTo(expected[docs[i]]).Within(1e-4).Percent, $"« {text} »: document {docs[i]} (the order of float additions may differ by a bit)");
        return count;
    }

    [Test]
    public void Fuzzy_words_through_the_kept_automata_find_what_lucenes_fuzzy_query_finds()
    {
        using var directory = new RAMDirectory();
        using (var writer = new IndexWriter(directory, new IndexWriterConfig(LuceneFields.Version, Analyzer) { Similarity = new BM25Similarity() }))
        {
            var round = 0;
            foreach (var text in SeedTexts())
            {
                writer.AddDocument(LuceneSearchIndex.ToDocument(text));
                if (++round % 20 == 0) writer.Commit(); // several segments: the automata serve each of them
            }
            writer.Commit();
        }
        using var reader = DirectoryReader.Open(directory);
        var searcher = new IndexSearcher(reader) { Similarity = new BM25Similarity() };
        Dictionary<int, float> Hits(Query query)
        {
            var found = new Dictionary<int, float>();
            searcher.Search(query, new Everything(found));
            return found;
        }
        var compared = 0;
        foreach (var word in new[] { "formaton", "numerik", "ordinateurz", "reconditionee", "protecton", "confidentialiter", "acompagnement" })
            foreach (var field in new[] { LuceneFields.AllPlain, LuceneFields.NamePlain })
            {
                var edits = word.Length >= 8 ? 2 : 1;
                var expected = Hits(new FuzzyQuery(new Term(field, word), edits, 1));
                // Twice: the first builds and keeps the automata, the second reads the kept ones.
                for (var time = 0; time < 2; time++)
                {
                    var found = Hits(new SharedAutomataFuzzyQuery(new Term(field, word), edits, 1));
                    Assert.That(found.Keys.Order(), Is.EqualTo(expected.Keys.Order()), $"« {word} » in {field}");
                    foreach (var (doc, score) in expected) Assert.That(found[doc], Is.EqualTo(score), $"« {word} » in {field}: document {doc}");
                }
                if (expected.Count > 0) compared++;
            }
        Assert.That(compared, Is.GreaterThan(5), "most words find something");
    }

    [Test]
    public void Another_shape_of_query_is_left_to_lucene()
    {
        Assert.That(ClauseAtATime.Reads(new TermQuery(new Term(LuceneFields.NameFr, "puce"))), Is.False);
        var onlyOptional = new BooleanQuery { { new DisjunctionMaxQuery(0.1f), Occur.SHOULD } };
        Assert.That(ClauseAtATime.Reads(onlyOptional), Is.False, "without a required clause every document would be read");
        var boosted = new BooleanQuery { { new DisjunctionMaxQuery(0.1f), Occur.MUST } };
        boosted.Boost = 2f;
        Assert.That(ClauseAtATime.Reads(boosted), Is.False);
    }

    private static IEnumerable<TextDocument> SeedTexts()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(MarketplaceFactory.RepositoryRoot, "seed-data", "providers.json")));
        var id = 0;
        foreach (var provider in json.RootElement.GetProperty("providers").EnumerateArray())
        {
            string Text(JsonElement e, string key) => e.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";
            var offerings = provider.GetProperty("offerings").EnumerateArray().ToList();
            yield return new TextDocument(++id, Text(provider, "name"),
                string.Join(" ; ", offerings.Select(o => Text(o, "category"))), string.Join(" ; ", offerings.Select(o => Text(o, "category"))),
                string.Join(" ", offerings.Select(o => Text(o, "descriptionFr"))), string.Join(" ", offerings.Select(o => Text(o, "descriptionEn"))),
                Text(provider, "descriptionFr"), Text(provider, "descriptionEn"));
        }
    }

    private sealed class Everything(Dictionary<int, float> found) : ICollector
    {
        private Scorer? _scorer;
        private int _docBase;
        public bool AcceptsDocsOutOfOrder => false;
        public void SetScorer(Scorer scorer) => _scorer = scorer;
        public void SetNextReader(AtomicReaderContext context) => _docBase = context.DocBase;
        public void Collect(int doc) => found[_docBase + doc] = _scorer!.GetScore();
    }
}
