using Marketplace.Web.Domain.Matching;
using Marketplace.Web.Domain.Providers;
using Marketplace.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Marketplace.Web.Features.Matching;

/// <summary>
/// Recomputes the stored matches of requests. Candidates come from an index by category and region (only providers
/// with an offering in a requested category that serves the request's region, or works remotely when the request
/// accepts remote, or states no service area, are scored), the pure <see cref="Matcher"/> ranks them, and the stored matches are added, updated
/// or removed so that an unchanged input changes nothing.
/// <para>
/// One request (the incremental job) asks the database: the <c>service_offerings</c> index on the category key.
/// Many requests (a full recompute, or the requests a changed listing concerns) load every published offering of the
/// requested categories once into a <see cref="CandidatePool"/> indexed by category and region, read the stored matches
/// of a few hundred requests at a time, and save each such batch in bulk. Both ways give the same matches.
/// </para>
/// </summary>
public sealed class MatchingRun(MarketplaceDbContext db, TimeProvider time)
{
    public const int TopCount = 20;

    /// <summary>Under this many requests, each asks the database for its candidates; from it on, they share an index in memory.</summary>
    public const int IndexFrom = 20;

    /// <summary>Requests whose stored matches are read, and whose changes are saved, together.</summary>
    public const int BatchSize = 500;

    public sealed record Outcome(int Requests, int CandidatesScored, int Added, int Changed, int Removed);

    /// <summary>The weights under <c>Matching:Weights</c> (docs/matching.md), or the defaults.</summary>
    public static MatchWeights Weights(IConfiguration configuration) =>
        configuration.GetSection("Matching:Weights").Get<MatchWeights>() ?? new MatchWeights();

    public async Task<Outcome> RunAsync(int? requestId, MatchWeights weights, CancellationToken cancellationToken) =>
        await RunAsync(await db.NeedRequests.AsNoTracking().Where(r => requestId == null || r.Id == requestId).OrderBy(r => r.Id)
            .ToListAsync(cancellationToken), weights, cancellationToken);

    /// <summary>
    /// After a listing was published, edited or archived: the requests that already list it, and the open requests
    /// in one of the categories it offers (or offered).
    /// </summary>
    public async Task<Outcome> RunForProviderAsync(int providerId, MatchWeights weights, CancellationToken cancellationToken)
    {
        var categories = await db.ServiceOfferings.Where(o => o.ProviderId == providerId).Select(o => o.CategoryKey).Distinct()
            .ToListAsync(cancellationToken);
        var listed = db.Matches.Where(m => m.ProviderId == providerId).Select(m => m.RequestId);
        var requests = await db.NeedRequests.AsNoTracking()
            .Where(r => listed.Contains(r.Id) || (r.Status == RequestStatus.Open && r.Categories.Any(c => categories.Contains(c))))
            .OrderBy(r => r.Id).ToListAsync(cancellationToken);
        return await RunAsync(requests, weights, cancellationToken);
    }

    private async Task<Outcome> RunAsync(List<NeedRequest> requests, MatchWeights weights, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var changes = new Changes();
        var dismissal = await DismissalRatesAsync(cancellationToken);
        if (requests.Count < IndexFrom)
        {
            foreach (var request in requests)
            {
                var stored = await db.Matches.AsNoTracking().Where(m => m.RequestId == request.Id).ToListAsync(cancellationToken);
                var candidates = request.Status == RequestStatus.Open ? await CandidatesAsync(request, dismissal, cancellationToken) : [];
                changes.Apply(request, Matcher.Top(request, candidates, TopCount, now, weights), candidates.Count, stored, now);
                await SaveAsync(changes, cancellationToken);
            }
        }
        else
        {
            var index = await CandidateIndex.LoadAsync(db, requests.Where(r => r.Status == RequestStatus.Open).SelectMany(r => r.Categories)
                .Distinct().ToArray(), dismissal, now, weights, cancellationToken);
            foreach (var batch in requests.Chunk(BatchSize))
            {
                var ids = batch.Select(r => r.Id).ToArray();
                // One array parameter (json_each on SQLite, = ANY on PostgreSQL), not 500 scalar ones.
                var stored = (await db.Matches.AsNoTracking().Where(m => EF.Parameter(ids).Contains(m.RequestId)).ToListAsync(cancellationToken))
                    .ToLookup(m => m.RequestId);
                var ranked = index.Rank(batch, TopCount, now, weights);
                for (var k = 0; k < batch.Length; k++) changes.Apply(batch[k], ranked[k].Top, ranked[k].Scored, stored[batch[k].Id], now);
                await SaveAsync(changes, cancellationToken);
            }
        }
        return new Outcome(requests.Count, changes.Scored, changes.AddedCount, changes.ChangedCount, changes.RemovedCount);
    }

    /// <summary>What a batch of requests changes in the stored matches, and the run's counts.</summary>
    private sealed class Changes
    {
        public readonly List<MatchRecord> Added = [], Changed = [];
        public readonly List<long> Removed = [];
        public int Scored, AddedCount, ChangedCount, RemovedCount;

        /// <summary>From one request's stored matches (read without tracking) to its new top.</summary>
        public void Apply(NeedRequest request, IReadOnlyList<Match> top, int scored, IEnumerable<MatchRecord> stored, DateTimeOffset now)
        {
            Scored += scored;
            var byProvider = stored.ToDictionary(m => m.ProviderId);
            foreach (var match in top)
            {
                if (byProvider.Remove(match.ProviderId, out var existing))
                {
                    if (!existing.Update(match, now)) continue;
                    Changed.Add(existing);
                    ChangedCount++;
                }
                else
                {
                    Added.Add(new MatchRecord(request.Id, match, now));
                    AddedCount++;
                }
            }
            Removed.AddRange(byProvider.Values.Select(m => m.Id));
            RemovedCount += byProvider.Count;
        }
    }

    /// <summary>
    /// Saves a batch's changes in one transaction, in bulk: the removed and the changed rows are deleted, then the changed
    /// ones are written again with their id and dates (<see cref="MatchRecord.Update"/> moved <c>LastChangedAt</c> only),
    /// and the new ones are added. Nothing is written when nothing changed.
    /// </summary>
    private async Task SaveAsync(Changes changes, CancellationToken cancellationToken)
    {
        if (changes.Added.Count + changes.Changed.Count + changes.Removed.Count == 0) return;
        await using var transaction = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(cancellationToken) : null;
        var gone = changes.Removed.Concat(changes.Changed.Select(m => m.Id)).ToArray();
        // One array parameter: thousands of scalar ones would make each delete a statement of that many.
        if (gone.Length > 0) await db.Matches.Where(m => EF.Parameter(gone).Contains(m.Id)).ExecuteDeleteAsync(cancellationToken);
        await BulkInsert.InsertAsync(db, changes.Changed, withKeys: true, cancellationToken);
        await BulkInsert.InsertAsync(db, changes.Added, withKeys: false, cancellationToken);
        if (transaction is not null) await transaction.CommitAsync(cancellationToken);
        changes.Added.Clear();
        changes.Changed.Clear();
        changes.Removed.Clear();
    }

    /// <summary>
    /// One request's candidates from the database: the offerings in a requested category (the <c>service_offerings</c>
    /// index on the category key) that serve the request's region, or all of Quebec, or are delivered remotely when the
    /// request accepts remote, or state no service area (ADR 0015); only published listings count. The database also
    /// answers whether each one serves the request's region, speaks its language, takes its funding program, and states
    /// no region or no language, so that no list is read: each candidate carries only those offerings, with just the
    /// request's region, language and program in their lists when they apply, an empty list when none is stated, and
    /// <see cref="Elsewhere"/> when others are. The matcher asks nothing else of them, so it ranks them as it would the
    /// full listings.
    /// </summary>
    private async Task<List<Candidate>> CandidatesAsync(NeedRequest request, IReadOnlyDictionary<int, double> dismissal,
        CancellationToken cancellationToken)
    {
        var categories = request.Categories.ToArray();
        var region = request.Region;
        var remote = request.AcceptsRemote;
        var language = request.Language;
        var program = request.Preferences.FundingProgram;
        var rows = CandidateQuery.Applies(db.DatabaseProvider, region, language, program)
            ? await CandidateQuery.ReadAsync(db, categories, region, remote, language, program, cancellationToken)
            : await db.ServiceOfferings.AsNoTracking()
            // The cheap tests first: SQLite reads the JSON list of regions only for offerings that need it.
            .Where(o => categories.Contains(o.CategoryKey)
                        && ((remote && (o.Delivery == DeliveryMode.ADistance || o.Delivery == DeliveryMode.Hybride))
                            || o.ServesAllQuebec || o.RegionCodes.Contains(region) || o.RegionCodes.Count == 0))
            .Join(db.Providers.Where(p => p.Status == ListingStatus.Published), o => o.ProviderId, p => p.Id, (o, p) => new CandidateRow(
                p.Id, p.Name, p.SocialEconomy, p.HeadOfficeRegion, p.VerifiedAt, o.CategoryKey, o.Pricing, o.Delivery, o.ServesAllQuebec,
                o.RegionCodes.Contains(region), o.Languages.Contains(language), program != null && o.FundingPrograms.Contains(program),
                o.RegionCodes.Count == 0, o.Languages.Count == 0))
            .ToListAsync(cancellationToken);
        string[] regionOnly = [region], languageOnly = [language], programOnly = program is null ? [] : [program];
        return rows.GroupBy(r => r.Id).Select(g =>
        {
            var p = g.First();
            return new Candidate(p.Id, p.Name, true, p.SocialEconomy, p.HeadOfficeRegion, p.VerifiedAt,
                g.Select(o => new CandidateOffering(o.CategoryKey, o.Pricing, o.Delivery, o.ServesAllQuebec,
                    o.ServesRegion ? regionOnly : o.NoRegions ? [] : Elsewhere,
                    o.SpeaksLanguage ? languageOnly : o.NoLanguages ? [] : Elsewhere, o.TakesProgram ? programOnly : [])).ToArray(),
                dismissal.GetValueOrDefault(p.Id));
        }).ToList();
    }

    /// <summary>
    /// The list of an offering that states regions (or languages), none of them the request's: not empty (empty means
    /// not stated), and holding no region code or language key.
    /// </summary>
    private static readonly string[] Elsewhere = [""];

    /// <summary>One candidate offering of one request, with the answers the database gave for that request.</summary>
    private sealed record CandidateRow(int Id, string Name, bool SocialEconomy, string? HeadOfficeRegion, DateTimeOffset? VerifiedAt,
        string CategoryKey, PricingModel Pricing, DeliveryMode Delivery, bool ServesAllQuebec, bool ServesRegion, bool SpeaksLanguage,
        bool TakesProgram, bool NoRegions, bool NoLanguages);

    /// <summary>
    /// The same query written by hand, so that the database answers it from two covering indexes without reading a row
    /// (the descriptions make the rows large): <c>IX_service_offerings_Matching</c> and <c>IX_providers_Matching</c>, all
    /// columns in SQLite, key and <c>INCLUDE</c> columns in PostgreSQL (ADR 0014). It is read with a plain data reader:
    /// EF Core's materializer cost as much as the query for the 10,000 rows of the benchmark's largest request.
    /// List membership: PostgreSQL tests its <c>text[]</c> columns with <c>= ANY</c>; SQLite tests the JSON text with
    /// <c>instr</c> instead of a <c>json_each</c> table per row and per list. An empty list (nothing stated) is
    /// <c>cardinality(…) = 0</c> on PostgreSQL and the JSON text <c>[]</c> on SQLite (how EF Core writes an empty list). A region code, a language and a funding program
    /// key never hold a quote or a backslash, so <c>"02"</c> is found in the JSON list exactly when the list holds 02;
    /// <see cref="Applies"/> checks it, and the LINQ query answers otherwise.
    /// </summary>
    private static class CandidateQuery
    {
        public static bool Applies(DatabaseProvider provider, string region, string language, string? program) =>
            provider == DatabaseProvider.Postgres
            || new[] { region, language, program ?? "" }.All(v => !v.Contains('"') && !v.Contains('\\'));

        // The constants are literals (they are the stored names of enum values), so that the plan does not depend on them.
        private const string Select = $$"""
            SELECT p."Id", p."Name", p."SocialEconomy", p."HeadOfficeRegion", p."VerifiedAt", s."CategoryKey", s."Pricing", s."Delivery",
                   s."ServesAllQuebec", %InRegions%, %InLanguages%, @program <> '' AND %InPrograms%, %NoRegions%, %NoLanguages%
            FROM "service_offerings" AS s
            JOIN "providers" AS p ON p."Id" = s."ProviderId" AND p."Status" = '{{nameof(ListingStatus.Published)}}'
            WHERE s."CategoryKey" %InCategories%
              AND ((@remote AND s."Delivery" IN ('{{nameof(DeliveryMode.ADistance)}}', '{{nameof(DeliveryMode.Hybride)}}'))
                   OR s."ServesAllQuebec" OR %InRegions% OR %NoRegions%)
            """;

        private static readonly string Postgres = Select.Replace("%NoRegions%", "cardinality(s.\"RegionCodes\") = 0")
            .Replace("%NoLanguages%", "cardinality(s.\"Languages\") = 0").Replace("%InRegions%", "@region = ANY(s.\"RegionCodes\")")
            .Replace("%InLanguages%", "@language = ANY(s.\"Languages\")").Replace("%InPrograms%", "@program = ANY(s.\"FundingPrograms\")")
            .Replace("%InCategories%", "= ANY(@categories)");

        private static readonly string Sqlite = Select.Replace("%NoRegions%", "s.\"RegionCodes\" = '[]'")
            .Replace("%NoLanguages%", "s.\"Languages\" = '[]'").Replace("%InRegions%", "instr(s.\"RegionCodes\", @quotedRegion) > 0")
            .Replace("%InLanguages%", "instr(s.\"Languages\", @quotedLanguage) > 0").Replace("%InPrograms%", "instr(s.\"FundingPrograms\", @quotedProgram) > 0")
            .Replace("%InCategories%", "IN (SELECT value FROM json_each(@categories))");

        public static async Task<List<CandidateRow>> ReadAsync(MarketplaceDbContext db, string[] categories, string region, bool remote,
            string language, string? program, CancellationToken cancellationToken)
        {
            var postgres = db.DatabaseProvider == DatabaseProvider.Postgres;
            var connection = db.Database.GetDbConnection();
            var opened = connection.State != System.Data.ConnectionState.Open;
            if (opened) await db.Database.OpenConnectionAsync(cancellationToken);
            try
            {
                await using var command = connection.CreateCommand();
                if (db.Database.CurrentTransaction is { } transaction)
                    command.Transaction = transaction.GetDbTransaction();
                command.CommandText = postgres ? Postgres : Sqlite;
                void Add(string name, object value)
                {
                    var parameter = command.CreateParameter();
                    parameter.ParameterName = name;
                    parameter.Value = value;
                    command.Parameters.Add(parameter);
                }
                Add("@remote", remote);
                Add("@program", program ?? "");
                if (postgres)
                {
                    Add("@region", region);
                    Add("@language", language);
                    Add("@categories", categories);
                }
                else
                {
                    Add("@quotedRegion", $"\"{region}\"");
                    Add("@quotedLanguage", $"\"{language}\"");
                    Add("@quotedProgram", $"\"{program}\"");
                    Add("@categories", System.Text.Json.JsonSerializer.Serialize(categories));
                }
                var rows = new List<CandidateRow>();
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    DateTimeOffset? verifiedAt = reader.IsDBNull(4) ? null
                        : postgres ? reader.GetFieldValue<DateTimeOffset>(4) : new DateTimeOffset(reader.GetInt64(4), TimeSpan.Zero);
                    rows.Add(new CandidateRow(reader.GetInt32(0), reader.GetString(1), reader.GetBoolean(2), reader.IsDBNull(3) ? null : reader.GetString(3),
                        verifiedAt, reader.GetString(5), Enum.Parse<PricingModel>(reader.GetString(6)), Enum.Parse<DeliveryMode>(reader.GetString(7)),
                        reader.GetBoolean(8), reader.GetBoolean(9), reader.GetBoolean(10), reader.GetBoolean(11), reader.GetBoolean(12),
                        reader.GetBoolean(13)));
                }
                return rows;
            }
            finally
            {
                if (opened) await db.Database.CloseConnectionAsync();
            }
        }
    }

    /// <summary>A published provider's offering, as read for the matcher.</summary>
    private sealed record OfferingRow(int ProviderId, string Name, bool SocialEconomy, string? HeadOfficeRegion, DateTimeOffset? VerifiedAt,
        string CategoryKey, PricingModel Pricing, DeliveryMode Delivery, bool ServesAllQuebec, List<string> RegionCodes, List<string> Languages,
        List<string> FundingPrograms)
    {
        public CandidateOffering Offering() => new(CategoryKey, Pricing, Delivery, ServesAllQuebec, RegionCodes, Languages, FundingPrograms);

        public static IEnumerable<Candidate> Candidates(IEnumerable<OfferingRow> rows, IReadOnlyDictionary<int, double> dismissal) =>
            rows.GroupBy(r => r.ProviderId).Select(g =>
            {
                var p = g.First();
                return new Candidate(p.ProviderId, p.Name, true, p.SocialEconomy, p.HeadOfficeRegion, p.VerifiedAt,
                    g.Select(r => r.Offering()).ToArray(), dismissal.GetValueOrDefault(p.ProviderId));
            });
    }

    /// <summary>
    /// Every published provider offering one of the given categories, loaded once into a <see cref="CandidatePool"/> and
    /// indexed by category and region: for a request, the providers with an offering in a requested category that serves
    /// its region (or all of Quebec, or states no area), plus those delivering that category remotely when the request
    /// accepts remote. The
    /// same set as <see cref="CandidatesAsync"/> asks the database for. Requests are ranked in parallel (the pool is
    /// immutable).
    /// </summary>
    private sealed class CandidateIndex
    {
        private readonly CandidatePool _pool;
        // By category and region, in pool order: the providers serving the region in person or stating no area, and those
        // plus the ones delivering the category remotely (for a request that accepts remote).
        private readonly Dictionary<(string Category, string Region), int[]> _inPerson;
        private readonly Dictionary<(string Category, string Region), int[]> _reachable;

        private CandidateIndex(CandidatePool pool, Dictionary<(string, string), int[]> inPerson, Dictionary<(string, string), int[]> reachable)
        {
            _pool = pool;
            _inPerson = inPerson;
            _reachable = reachable;
        }

        public static async Task<CandidateIndex> LoadAsync(MarketplaceDbContext db, string[] categories, IReadOnlyDictionary<int, double> dismissal,
            DateTimeOffset now, MatchWeights weights, CancellationToken cancellationToken)
        {
            var rows = await db.ServiceOfferings.AsNoTracking()
                .Where(o => categories.Contains(o.CategoryKey))
                .Join(db.Providers.Where(p => p.Status == ListingStatus.Published), o => o.ProviderId, p => p.Id, (o, p) => new OfferingRow(
                    p.Id, p.Name, p.SocialEconomy, p.HeadOfficeRegion, p.VerifiedAt,
                    o.CategoryKey, o.Pricing, o.Delivery, o.ServesAllQuebec, o.RegionCodes, o.Languages, o.FundingPrograms))
                .ToListAsync(cancellationToken);
            var pool = new CandidatePool(OfferingRow.Candidates(rows, dismissal), now, weights);
            var inPerson = new Dictionary<(string, string), List<int>>();
            var remote = new Dictionary<string, List<int>>();
            for (var i = 0; i < pool.Count; i++)
            {
                foreach (var o in pool[i].Offerings)
                {
                    foreach (var region in o.ServesAllQuebec || o.AreaUnknown ? RegionCodes.All : o.Regions)
                        Add(inPerson, (o.CategoryKey, region), i);
                    if (o.Delivery is DeliveryMode.ADistance or DeliveryMode.Hybride) Add(remote, o.CategoryKey, i);
                }
            }
            var reachable = new Dictionary<(string, string), int[]>();
            foreach (var category in inPerson.Keys.Select(k => k.Item1).Concat(remote.Keys).Distinct())
            foreach (var region in RegionCodes.All)
            {
                var here = inPerson.GetValueOrDefault((category, region)) ?? [];
                var distant = remote.GetValueOrDefault(category) ?? [];
                reachable[(category, region)] = here.Concat(distant).Distinct().Order().ToArray();
            }
            return new CandidateIndex(pool, inPerson.ToDictionary(e => e.Key, e => e.Value.ToArray()), reachable);
        }

        private static void Add<TKey>(Dictionary<TKey, List<int>> lists, TKey key, int candidate) where TKey : notnull
        {
            // In pool order; a provider's several offerings of one category add it once.
            if (!lists.TryGetValue(key, out var list)) lists[key] = list = [];
            if (list.Count == 0 || list[^1] != candidate) list.Add(candidate);
        }

        /// <summary>Each request's top and the number of candidates scored for it (none for a request that is not open).</summary>
        public (IReadOnlyList<Match> Top, int Scored)[] Rank(NeedRequest[] requests, int count, DateTimeOffset now, MatchWeights weights)
        {
            var ranked = new (IReadOnlyList<Match> Top, int Scored)[requests.Length];
            Parallel.For(0, requests.Length, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, k =>
            {
                var request = requests[k];
                if (request.Status != RequestStatus.Open)
                {
                    ranked[k] = ([], 0);
                    return;
                }
                var lists = new List<int[]>();
                foreach (var category in request.Categories)
                    if ((request.AcceptsRemote ? _reachable : _inPerson).TryGetValue((category, request.Region), out var list)) lists.Add(list);
                var top = _pool.Top(request, lists, count, now, weights, out var scored);
                ranked[k] = (top, scored);
            });
            return ranked;
        }
    }

    /// <summary>
    /// Feedback from earlier dismissals: for each provider some nonprofit set aside, dismissals ÷ (requests it was
    /// suggested to + <see cref="DismissalSmoothing"/>), so that one dismissal does not sink a provider suggested once.
    /// Read once per run, before any match changes, so that every request of a run sees the same rates.
    /// </summary>
    private async Task<Dictionary<int, double>> DismissalRatesAsync(CancellationToken cancellationToken)
    {
        var dismissedProviders = db.MatchResponses.Where(r => r.DismissedAt != null).Select(r => r.ProviderId);
        var dismissed = await dismissedProviders.GroupBy(id => id).Select(g => new { ProviderId = g.Key, Count = g.Count() })
            .ToListAsync(cancellationToken);
        if (dismissed.Count == 0) return [];
        var suggested = await db.Matches.Where(m => dismissedProviders.Contains(m.ProviderId)).GroupBy(m => m.ProviderId)
            .Select(g => new { ProviderId = g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.ProviderId, g => g.Count, cancellationToken);
        return dismissed.ToDictionary(d => d.ProviderId,
            d => (double)d.Count / (Math.Max(d.Count, suggested.GetValueOrDefault(d.ProviderId)) + DismissalSmoothing));
    }

    public const int DismissalSmoothing = 2;
}
