using Marketplace.Web.Infrastructure.Web;
using System.Globalization;
using System.IO.Compression;
using System.Reflection;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Marketplace.Web.Domain.Accounts;
using Marketplace.Web.Domain.Listings;
using Marketplace.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Web.Features.Privacy;

/// <summary>
/// « Mes données » (Law 25, s. 27 and 3.3 last paragraph): everything held about a person and their organization, as
/// a ZIP of JSON and CSV files written straight to the output stream (no whole archive in memory). Only the person's
/// own account data, and what belongs to their organization: never another member's account, nor the identity of the
/// member of staff who looked at their data (ADR 0028). Every export is audited (<see cref="AuditAction.DataExported"/>).
/// The web page and the command line (<c>privacy export</c>) write the same files.
/// </summary>
public sealed class PersonalDataExport(MarketplaceDbContext db, TimeProvider time)
{
    /// <summary>The files of the archive, in order; each is written as « name.json » and « name.csv ».</summary>
    public static readonly IReadOnlyList<string> Sections =
    [
        "compte", "organisme", "consentements", "resume-hebdomadaire", "demandes", "suggestions", "reponses-aux-suggestions",
        "revisions-humaines", "conversations", "messages", "courriels", "revisions-de-fiche", "journal", "acces-du-personnel",
    ];

    public sealed record AccountRow(string Id, string Email, string UserName, bool EmailConfirmed, string DisplayName, string Language,
        DateTimeOffset CreatedAt, bool TwoFactorEnabled, string? PhoneNumber, string Roles);

    public sealed record OrganizationRow(int Id, string Name, string Kind, int? ProviderId, string? Listing, DateTimeOffset CreatedAt);

    public sealed record ConsentRow(long Id, string Purpose, string TextVersion, string Language, DateTimeOffset GivenAt, DateTimeOffset? WithdrawnAt);

    public sealed record DigestRow(bool Subscribed, string EmailLanguage);

    public sealed record RequestRow(int Id, string Title, string Description, string Categories, string Region, string Delivery,
        string Language, string Budget, string Timeline, string Status, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

    public sealed record MatchRow(long Id, int RequestId, int ProviderId, string Provider, double Score, string Categories,
        DateTimeOffset FirstMatchedAt, DateTimeOffset LastChangedAt);

    public sealed record ResponseRow(long Id, int RequestId, int ProviderId, DateTimeOffset? DismissedAt, string? DismissalReason,
        DateTimeOffset? ContactedAt, string? Message, DateTimeOffset? DetailsSharedAt, DateTimeOffset? InterestedAt);

    public sealed record ReviewRow(int Id, int RequestId, bool AskedByYou, string? Question, DateTimeOffset RequestedAt, string? Answer,
        DateTimeOffset? AnsweredAt);

    public sealed record ConversationRow(int Id, string YourSide, int ProviderId, string Provider, int? RequestId, DateTimeOffset StartedAt,
        DateTimeOffset LastMessageAt, DateTimeOffset? DetailsSharedAt);

    public sealed record MessageRow(long Id, int ConversationId, string Side, bool WrittenByYou, string Body, string Channel, DateTimeOffset SentAt);

    public sealed record EmailRow(long Id, string To, string Subject, string Language, DateTimeOffset CreatedAt, DateTimeOffset? SentAt,
        string Status, string? TextBody);

    public sealed record RevisionRow(int Id, int? ProviderId, string State, DateTimeOffset CreatedAt, DateTimeOffset? SubmittedAt,
        DateTimeOffset? DecidedAt, string? DecisionReason, string Content);

    /// <param name="Actor">« vous » (the person), « membre » (another member of the organization), « personnel » (staff) or « cli ».</param>
    public sealed record AuditRow(long Id, string Action, string Actor, int? ProviderId, int? RevisionId, string? Reason, DateTimeOffset At);

    /// <param name="About">« vous » (the person) or « organisme » (the organization).</param>
    public sealed record StaffAccessRow(long Id, string Kind, string RecordId, string About, DateTimeOffset At);

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        // Accents and « » as they are: the file is for a person to read.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>
    /// Audits the export (actor: the person's id, or « cli »), then writes the archive to <paramref name="output"/>, which
    /// stays open. Reads are projections; messages and emails are read in one query each.
    /// </summary>
    public async Task WriteAsync(string userId, Stream output, string actor, CancellationToken cancellationToken)
    {
        var user = await db.Users.AsNoTracking().SingleAsync(u => u.Id == userId, cancellationToken);
        // Organization 0: an export concerns one person, and the organization's history (shown to its members) is not theirs.
        db.AuditEntries.Add(new AuditEntry(0, null, null, actor, AuditAction.DataExported, $"user:{userId}", time.GetUtcNow()));
        await db.SaveChangesAsync(cancellationToken);

        var buffer = new EntryBufferStream(output);
        await using (var zip = await ZipArchive.CreateAsync(buffer, ZipArchiveMode.Create, leaveOpen: true, entryNameEncoding: null, cancellationToken))
            await WriteEntriesAsync(zip, buffer, user, cancellationToken);
        await buffer.FlushAsync(cancellationToken); // the archive's central directory
    }

    private async Task WriteEntriesAsync(ZipArchive zip, EntryBufferStream buffer, MarketplaceUser user, CancellationToken cancellationToken)
    {
        var userId = user.Id;
        var organizationId = user.OrganizationId;
        await WriteTextAsync(zip, buffer, "LISEZMOI.txt", ReadMe, cancellationToken);

        var roles = await (from ur in db.UserRoles join r in db.Roles on ur.RoleId equals r.Id where ur.UserId == userId select r.Name!)
            .OrderBy(r => r).ToListAsync(cancellationToken);
        // Never the password hash, the security stamp, the two-factor secret nor the recovery codes.
        await WriteSectionAsync(zip, buffer, "compte", [new AccountRow(user.Id, user.Email ?? "", user.UserName ?? "", user.EmailConfirmed, user.DisplayName,
            user.Language, user.CreatedAt, user.TwoFactorEnabled, user.PhoneNumber, string.Join("; ", roles))], cancellationToken);

        var organization = organizationId is null ? null : await db.Organizations.AsNoTracking().Where(o => o.Id == organizationId)
            .Select(o => new OrganizationRow(o.Id, o.Name, o.Kind.ToString(), o.ProviderId,
                db.Providers.Where(p => p.Id == o.ProviderId).Select(p => p.Name).FirstOrDefault(), o.CreatedAt))
            .SingleOrDefaultAsync(cancellationToken);
        await WriteSectionAsync<OrganizationRow>(zip, buffer, "organisme", organization is null ? [] : [organization], cancellationToken);
        var orgId = organization?.Id ?? -1;
        var providerId = organization?.ProviderId ?? -1;

        var consents = await db.Consents.AsNoTracking().Where(c => c.UserId == userId).OrderBy(c => c.GivenAt).ThenBy(c => c.Id)
            .Select(c => new ConsentRow(c.Id, c.Purpose.ToString(), c.TextVersion, c.Language, c.GivenAt, c.WithdrawnAt))
            .ToListAsync(cancellationToken);
        await WriteSectionAsync(zip, buffer, "consentements", consents, cancellationToken);
        await WriteSectionAsync(zip, buffer, "resume-hebdomadaire",
            [new DigestRow(consents.Any(c => c.Purpose == nameof(ConsentPurpose.WeeklyDigest) && c.WithdrawnAt is null), user.Language)], cancellationToken);

        var requests = (await db.NeedRequests.AsNoTracking().Where(r => r.OrganizationId == orgId).OrderBy(r => r.Id).ToListAsync(cancellationToken))
            .Select(r => new RequestRow(r.Id, r.Title, r.Description, string.Join("; ", r.Categories), r.Region, r.Delivery.ToString(), r.Language,
                r.Budget.ToString(), r.Timeline.ToString(), r.Status.ToString(), r.CreatedAt, r.UpdatedAt)).ToList();
        await WriteSectionAsync(zip, buffer, "demandes", requests, cancellationToken);
        var requestIds = requests.Select(r => r.Id).ToArray();

        var matches = (await (from m in db.Matches.AsNoTracking()
                              join p in db.Providers on m.ProviderId equals p.Id
                              where requestIds.Contains(m.RequestId)
                              orderby m.RequestId, m.Id
                              select new { m.Id, m.RequestId, m.ProviderId, p.Name, m.Score, m.MatchedCategories, m.FirstMatchedAt, m.LastChangedAt })
                .ToListAsync(cancellationToken))
            .Select(m => new MatchRow(m.Id, m.RequestId, m.ProviderId, m.Name, m.Score, string.Join("; ", m.MatchedCategories), m.FirstMatchedAt, m.LastChangedAt))
            .ToList();
        await WriteSectionAsync(zip, buffer, "suggestions", matches, cancellationToken);

        // The organization's responses to its suggestions in full; a provider's own « intéressé » on anonymized requests.
        var responses = await db.MatchResponses.AsNoTracking()
            .Where(r => requestIds.Contains(r.RequestId) || (r.ProviderId == providerId && r.InterestedAt != null))
            .OrderBy(r => r.Id)
            .Select(r => requestIds.Contains(r.RequestId)
                ? new ResponseRow(r.Id, r.RequestId, r.ProviderId, r.DismissedAt, r.DismissalReason.HasValue ? r.DismissalReason.Value.ToString() : null,
                    r.ContactedAt, r.Message, r.DetailsSharedAt, r.InterestedAt)
                : new ResponseRow(r.Id, r.RequestId, r.ProviderId, null, null, null, null, null, r.InterestedAt))
            .ToListAsync(cancellationToken);
        await WriteSectionAsync(zip, buffer, "reponses-aux-suggestions", responses, cancellationToken);

        var reviews = await db.HumanReviews.AsNoTracking().Where(r => requestIds.Contains(r.RequestId)).OrderBy(r => r.Id)
            .Select(r => new ReviewRow(r.Id, r.RequestId, r.RequestedByUserId == userId, r.Question, r.RequestedAt, r.Answer, r.AnsweredAt))
            .ToListAsync(cancellationToken);
        await WriteSectionAsync(zip, buffer, "revisions-humaines", reviews, cancellationToken);

        var conversations = await (from c in db.Conversations.AsNoTracking()
                                   join p in db.Providers on c.ProviderId equals p.Id
                                   where c.NonprofitOrganizationId == orgId || c.ProviderId == providerId
                                   orderby c.Id
                                   select new ConversationRow(c.Id, c.NonprofitOrganizationId == orgId ? "organisme" : "fournisseur", c.ProviderId, p.Name,
                                       c.RequestId, c.StartedAt, c.LastMessageAt, c.DetailsSharedAt)).ToListAsync(cancellationToken);
        await WriteSectionAsync(zip, buffer, "conversations", conversations, cancellationToken);
        var conversationIds = conversations.Select(c => c.Id).ToArray();
        // Both sides' messages of the organization's conversations (it wrote or received them); never who wrote them, by id.
        var messages = await db.ConversationMessages.AsNoTracking().Where(m => conversationIds.Contains(m.ConversationId))
            .OrderBy(m => m.ConversationId).ThenBy(m => m.Id)
            .Select(m => new MessageRow(m.Id, m.ConversationId, m.Side.ToString(), m.AuthorUserId == userId, m.Body, m.Channel.ToString(), m.SentAt))
            .ToListAsync(cancellationToken);
        await WriteSectionAsync(zip, buffer, "messages", messages, cancellationToken);

        var address = user.Email ?? "\u0000";
        var emails = (await db.OutboxEmails.AsNoTracking().Where(e => e.RecipientUserId == userId || e.To == address).OrderBy(e => e.Id)
                .Select(e => new { e.Id, e.To, e.Subject, e.Language, e.CreatedAt, e.SentAt, e.Attempts, e.TextBody })
                .ToListAsync(cancellationToken))
            .Select(e => new EmailRow(e.Id, e.To, e.Subject, e.Language, e.CreatedAt, e.SentAt,
                e.SentAt is not null ? "envoyé" : e.Attempts >= Infrastructure.Email.OutboxEmail.MaxAttempts ? "échec" : "en attente",
                string.IsNullOrEmpty(e.TextBody) ? null : e.TextBody)).ToList();
        await WriteSectionAsync(zip, buffer, "courriels", emails, cancellationToken);

        var revisions = (await db.ListingRevisions.AsNoTracking().Where(r => r.AuthorUserId == userId).OrderBy(r => r.Id).ToListAsync(cancellationToken))
            .Select(r => new RevisionRow(r.Id, r.ProviderId, r.State.ToString(), r.CreatedAt, r.SubmittedAt, r.DecidedAt, r.DecisionReason,
                JsonSerializer.Serialize(r.Content, Json))).ToList();
        await WriteSectionAsync(zip, buffer, "revisions-de-fiche", revisions, cancellationToken);

        // About the person (done by them, or naming them) and about their organization, except what names another person.
        var aboutMe = $"user:{userId}";
        var members = await db.Users.AsNoTracking().Where(u => u.OrganizationId == orgId && u.Id != userId).Select(u => u.Id).ToListAsync(cancellationToken);
        var audit = (await db.AuditEntries.AsNoTracking()
                .Where(a => a.ActorUserId == userId || a.Reason == aboutMe || (a.OrganizationId == orgId && (a.Reason == null || !a.Reason.StartsWith("user:"))))
                .OrderBy(a => a.At).ThenBy(a => a.Id)
                .Select(a => new { a.Id, a.Action, a.ActorUserId, a.ProviderId, a.RevisionId, a.Reason, a.At }).ToListAsync(cancellationToken))
            .Select(a => new AuditRow(a.Id, a.Action.ToString(),
                a.ActorUserId == userId ? "vous" : a.ActorUserId == "cli" ? "cli" : members.Contains(a.ActorUserId) ? "membre" : "personnel",
                a.ProviderId, a.RevisionId, a.Reason, a.At)).ToList();
        await WriteSectionAsync(zip, buffer, "journal", audit, cancellationToken);

        var accesses = await db.StaffAccesses.AsNoTracking().Where(a => a.SubjectUserId == userId || a.SubjectOrganizationId == orgId)
            .OrderBy(a => a.At).ThenBy(a => a.Id)
            .Select(a => new StaffAccessRow(a.Id, a.Kind.ToString(), a.RecordId, a.SubjectUserId == userId ? "vous" : "organisme", a.At))
            .ToListAsync(cancellationToken);
        await WriteSectionAsync(zip, buffer, "acces-du-personnel", accesses, cancellationToken);
    }

    private static async Task WriteSectionAsync<T>(ZipArchive zip, EntryBufferStream buffer, string name, IReadOnlyList<T> rows,
        CancellationToken cancellationToken)
    {
        var json = zip.CreateEntry(name + ".json", CompressionLevel.Fastest);
        await using (var stream = await json.OpenAsync(cancellationToken))
            await JsonSerializer.SerializeAsync(stream, rows, Json, cancellationToken);
        await buffer.FlushAsync(cancellationToken);
        await WriteTextAsync(zip, buffer, name + ".csv", Csv(rows), cancellationToken);
    }

    private static async Task WriteTextAsync(ZipArchive zip, EntryBufferStream buffer, string name, string content, CancellationToken cancellationToken)
    {
        var entry = zip.CreateEntry(name, CompressionLevel.Fastest);
        await using (var stream = await entry.OpenAsync(cancellationToken))
        {
            // With a byte order mark: spreadsheet programs then read the accents right.
            await stream.WriteAsync(Encoding.UTF8.GetPreamble(), cancellationToken);
            await stream.WriteAsync(Encoding.UTF8.GetBytes(content), cancellationToken);
        }
        await buffer.FlushAsync(cancellationToken);
    }

    /// <summary>RFC 4180, a header of the record's property names; a cell that starts like a formula is prefixed with « ' ».</summary>
    public static string Csv<T>(IReadOnlyList<T> rows)
    {
        var properties = typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance);
        var csv = new StringBuilder();
        csv.AppendJoin(',', properties.Select(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name))).Append("\r\n");
        foreach (var row in rows)
            csv.AppendJoin(',', properties.Select(p => Cell(p.GetValue(row)))).Append("\r\n");
        return csv.ToString();
    }

    private static string Cell(object? value)
    {
        var text = value switch
        {
            null => "",
            DateTimeOffset at => at.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            bool b => b ? "true" : "false",
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString() ?? "",
        };
        text = CsvCells.Neutralized(text);
        return text.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? CsvCells.Quoted(text) : text;
    }

    private const string ReadMe = """
        Vos données — Panier de services numériques
        ===========================================

        Ce fichier ZIP contient tout ce que le site garde sur vous et sur votre organisme, chaque partie en deux formats :
        JSON (pour un programme) et CSV (pour un tableur). Les dates sont en temps universel (UTC).

        compte                    votre compte : adresse, nom, langue, rôles (jamais le mot de passe ni le secret de la double authentification)
        organisme                 l'organisme pour lequel vous agissez
        consentements             les conditions acceptées, la politique lue, les usages facultatifs donnés ou retirés
        resume-hebdomadaire       votre choix pour le résumé hebdomadaire par courriel
        demandes                  les demandes de votre organisme
        suggestions               les fournisseurs suggérés pour ces demandes
        reponses-aux-suggestions  ce que votre organisme a fait de ces suggestions (ou, pour un fournisseur, son intérêt)
        revisions-humaines        les révisions par une personne demandées, avec les questions et les réponses
        conversations, messages   les conversations de votre organisme et leurs messages
        courriels                 les courriels envoyés à votre adresse (le texte tant qu'il est gardé)
        revisions-de-fiche        les versions de fiche que vous avez écrites
        journal                   le journal des actions faites par vous ou sur vous et votre organisme
        acces-du-personnel        chaque consultation de vos données par l'équipe de vérification ou l'administration

        Les données personnelles des autres membres de votre organisme n'y sont pas : chacune et chacun peut demander les siennes.

        Your data — Digital services basket
        ===================================

        This ZIP file holds everything the site keeps about you and your organization, each part in two formats: JSON (for a
        program) and CSV (for a spreadsheet). Dates are in UTC. The file names are French: compte (account), organisme
        (organization), consentements (consents), resume-hebdomadaire (weekly digest), demandes (requests), suggestions
        (matches), reponses-aux-suggestions (responses to matches), revisions-humaines (human reviews), conversations,
        messages, courriels (emails sent to you), revisions-de-fiche (listing revisions you wrote), journal (audit log),
        acces-du-personnel (each time staff looked at your data). Other members' personal data are not included: each can
        ask for their own.

        """;
}
