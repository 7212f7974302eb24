using Marketplace.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Marketplace.Web.Infrastructure.Search;
using Marketplace.Web.Infrastructure.Seeding;

namespace Marketplace.Web.Infrastructure.Cli;

/// <summary>
/// The operator's commands: <c>dotnet run --project src/Marketplace.Web -- &lt;command&gt;</c>. Without a command the site runs.
/// </summary>
public static class CommandLine
{
    private sealed record Command(string Name, string Usage, string Help, Func<IServiceProvider, string[], TextWriter, CancellationToken, Task<int>> Run);

    private static readonly Command[] Commands =
    [
        new("help", "help", "Affiche cette aide. / Shows this help.", (_, _, output, _) => Help(output)),
        new("migrate", "migrate", "Applique les migrations de la base de données. / Applies database migrations.", Migrate),
        new("seed", "seed [--synthetic N] [--synthetic-requests M] [--synthetic-digest-recipients R]",
            "Charge seed-data/ (et ajoute N fournisseurs synthétiques, M demandes ouvertes d'organismes synthétiques, R personnes synthétiques abonnées au résumé hebdomadaire qui ont du nouveau — après « jobs run matching » —, pour les bancs d'essai). / " +
            "Loads seed-data/ (and adds N synthetic providers, M open requests from synthetic nonprofits, R synthetic people opted in to the weekly digest who have news — after « jobs run matching » —, for benchmarks).",
            Seed),
        new("reindex", "reindex", "Reconstruit l'index de recherche. / Rebuilds the search index.", Reindex),
        new("reverify", "reverify",
            "Envoie les rappels de vérification annuelle dus. / Sends the yearly re-verification reminders that are due.",
            async (services, _, output, ct) =>
            {
                var count = await services.GetRequiredService<Features.Curation.Reverification>().RemindAsync(ct);
                await output.WriteLineAsync($"Rappels envoyés : {count}. / Reminders sent: {count}.");
                return 0;
            }),
        new("jobs", "jobs run matching [--request ID] [--warm-up] | " + DigestCommand.Usage + " | " + RetentionCommand.Usage,
            "Recalcule toutes les correspondances (ou celles d'une demande) et affiche le bilan et la durée; --warm-up fait d'abord un essai annulé, pour mesurer à chaud. " +
            "« digest » crée et envoie les résumés hebdomadaires d'une semaine ISO (par défaut la semaine en cours) et affiche les comptes. / " +
            "Recomputes every match (or one request's) and prints what it did and how long it took; --warm-up first does a rolled-back try, to time it warm. " +
            "« digest » builds and sends the weekly digests of an ISO week (the current one by default) and prints the counts. " +
            "« retention » applies the retention schedule (as of --now, today by default) and prints what it did.",
            (services, args, output, ct) => args switch
            {
                ["run", "digest", ..] => DigestCommand.RunAsync(services, args[2..], output, ct),
                ["run", "retention", ..] => RetentionCommand.RunAsync(services, args[2..], output, ct),
                _ => RunMatching(services, args, output, ct),
            }),
        new("users", UserCommands.Usage,
            "Crée un compte admin ou conservateur·rice et affiche un lien pour choisir le mot de passe; liste les comptes. / Adds an admin or curator and prints a link to set the password; lists accounts.",
            UserCommands.Run),
        new("privacy", PrivacyCommands.Usage,
            "Écrit dans un nouveau fichier ZIP tout ce que le site garde sur une personne et son organisme, comme « Mes données » (journalisé, acteur « cli »). / " +
            "Writes everything the site keeps about a person and their organization to a new ZIP file, as « My data » does (audited, actor « cli »).",
            PrivacyCommands.Run),
    ];

    public static bool IsCommand(string[] args) => args.Length > 0 && !args[0].StartsWith('-');

    public static async Task<int> RunAsync(IServiceProvider services, string[] args, TextWriter output, CancellationToken cancellationToken)
    {
        var command = Commands.FirstOrDefault(c => c.Name.Equals(args[0], StringComparison.OrdinalIgnoreCase));
        if (command is null)
        {
            await output.WriteLineAsync($"Commande inconnue / unknown command: {args[0]}");
            await Help(output);
            return 2;
        }
        await using var scope = services.CreateAsyncScope();
        try
        {
            return await command.Run(scope.ServiceProvider, args[1..], output, cancellationToken);
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or ArgumentException or SeedDataException)
        {
            await output.WriteLineAsync($"Erreur / error: {e.Message}");
            return 1;
        }
        catch (Exception e) when (e is System.Data.Common.DbException or DbUpdateException or InvalidOperationException or IOException
                                   or TimeoutException or System.Net.Sockets.SocketException or System.Text.Json.JsonException)
        {
            // The database or a file is out of reach, or the configuration is incomplete: say so, exit 1, no stack.
            await output.WriteLineAsync($"Erreur / error ({e.GetType().Name}): {e.GetBaseException().Message}");
            return 1;
        }
    }

    private static async Task<int> Help(TextWriter output)
    {
        await output.WriteLineAsync("Usage: dotnet run --project src/Marketplace.Web -- <commande>");
        await output.WriteLineAsync("Sans commande, le site démarre. / Without a command, the site runs.");
        await output.WriteLineAsync();
        foreach (var c in Commands) await output.WriteLineAsync($"  {c.Usage,-26} {c.Help}");
        return 0;
    }

    private static async Task<int> Migrate(IServiceProvider services, string[] args, TextWriter output, CancellationToken ct)
    {
        await services.GetRequiredService<DatabaseInitializer>().MigrateAsync(ct);
        await output.WriteLineAsync("Migrations appliquées. / Migrations applied.");
        return 0;
    }

    private static async Task<int> Seed(IServiceProvider services, string[] args, TextWriter output, CancellationToken ct)
    {
        int? synthetic = null, syntheticRequests = null, syntheticRecipients = null;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] is "--synthetic" or "--synthetic-requests" or "--synthetic-digest-recipients" && i + 1 < args.Length
                && int.TryParse(args[i + 1], out var n) && n >= 0)
            {
                if (args[i] == "--synthetic") synthetic = n;
                else if (args[i] == "--synthetic-requests") syntheticRequests = n;
                else syntheticRecipients = n;
                i++;
            }
            else throw new ArgumentException($"argument inattendu / unexpected argument: {args[i]} (seed [--synthetic N] [--synthetic-requests M] [--synthetic-digest-recipients R])");
        }
        await services.GetRequiredService<DatabaseInitializer>().MigrateAsync(ct);
        var outcome = await services.GetRequiredService<SeedDataLoader>().LoadAsync(ct);
        await output.WriteLineAsync(
            $"seed-data: {outcome.TermsAdded} termes ajoutés, {outcome.TermsUpdated} mis à jour, {outcome.ProvidersAdded} fournisseurs ajoutés, {outcome.ProvidersSkipped} déjà présents, {outcome.RequestsAdded} demandes fictives ajoutées.");
        if (synthetic is > 0)
        {
            var added = await services.GetRequiredService<SyntheticProviders>().AddAsync(synthetic.Value, ct);
            await output.WriteLineAsync($"{added} fournisseurs synthétiques ajoutés. / synthetic providers added.");
        }
        if (syntheticRequests is > 0)
        {
            var added = await services.GetRequiredService<SyntheticRequests>().AddAsync(syntheticRequests.Value, ct);
            await output.WriteLineAsync(
                $"{added.Requests} demandes synthétiques ajoutées ({added.Organizations} organismes, n° {added.FirstId} à {added.LastId}). / " +
                $"synthetic requests added (ids {added.FirstId} to {added.LastId}).");
        }
        if (syntheticRecipients is > 0)
        {
            var added = await services.GetRequiredService<SyntheticDigestRecipients>().AddAsync(syntheticRecipients.Value, ct);
            await output.WriteLineAsync(
                $"{added.Nonprofit + added.Provider} personnes synthétiques abonnées au résumé ajoutées ({added.Nonprofit} d'organismes, {added.Provider} de fournisseurs). / " +
                $"synthetic digest recipients added: {added.Nonprofit + added.Provider} ({added.Nonprofit} nonprofit staff, {added.Provider} provider staff).");
            if (added.Nonprofit + added.Provider < syntheticRecipients)
            {
                await output.WriteLineAsync(
                    "Aucun organisme ni fournisseur synthétique jumelé : ajoutez des demandes (--synthetic-requests) et lancez « jobs run matching ». / " +
                    "No matched synthetic nonprofit or provider: add requests (--synthetic-requests) and run « jobs run matching ».");
                return 1;
            }
        }
        return 0;
    }

    private static async Task<int> RunMatching(IServiceProvider services, string[] args, TextWriter output, CancellationToken ct)
    {
        const string usage = "usage: jobs run matching [--request ID] [--warm-up]";
        if (args is not ["run", "matching", ..]) throw new ArgumentException(usage);
        int? requestId = null;
        var warmUp = false;
        for (var i = 2; i < args.Length; i++)
        {
            if (args[i] == "--request" && i + 1 < args.Length && int.TryParse(args[i + 1], out var id) && id > 0)
            {
                requestId = id;
                i++;
            }
            else if (args[i] == "--warm-up") warmUp = true;
            else throw new ArgumentException(usage);
        }
        var weights = Features.Matching.MatchingRun.Weights(services.GetRequiredService<IConfiguration>());
        var run = services.GetRequiredService<Features.Matching.MatchingRun>();
        var db = services.GetRequiredService<MarketplaceDbContext>();
        // Checking that the request exists also opens the database and builds the data model, once per process.
        if (!await db.NeedRequests.AnyAsync(r => requestId == null || r.Id == requestId, ct))
        {
            if (requestId is not null) throw new ArgumentException($"demande inconnue / unknown request: {requestId}");
        }
        if (warmUp)
        {
            // The same run in a transaction that is rolled back, so that the timed run below is like the scheduler's job in a
            // site that has run before (queries compiled, code jitted); the data are as they were.
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            await run.RunAsync(requestId, weights, ct);
            await transaction.RollbackAsync(ct);
            db.ChangeTracker.Clear();
        }
        // Only the run is timed: not the process start-up nor the data model's building.
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        var outcome = await run.RunAsync(requestId, weights, ct);
        stopwatch.Stop();
        await output.WriteLineAsync(
            $"demandes / requests: {outcome.Requests}, candidats évalués / candidates scored: {outcome.CandidatesScored}, " +
            $"ajoutées / added: {outcome.Added}, modifiées / changed: {outcome.Changed}, retirées / removed: {outcome.Removed}, " +
            $"durée / elapsed: {stopwatch.ElapsedMilliseconds} ms");
        return 0;
    }

    private static async Task<int> Reindex(IServiceProvider services, string[] args, TextWriter output, CancellationToken ct)
    {
        var count = await services.GetRequiredService<ISearchIndexer>().RebuildAsync(ct);
        // Recorded in the change log: every running instance rebuilds its own index within seconds, a stopped one at start.
        await output.WriteLineAsync($"Reconstruction de l'index demandée: {count} fiches publiées; chaque instance reconstruit le sien. / " +
            $"Index rebuild requested: {count} published listings; every instance rebuilds its own.");
        return 0;
    }
}
