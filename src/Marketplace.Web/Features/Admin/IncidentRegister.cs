using System.Globalization;
using System.Text;
using Marketplace.Web.Domain;
using Marketplace.Web.Domain.Listings;
using Marketplace.Web.Domain.Privacy;
using Marketplace.Web.Infrastructure;
using Marketplace.Web.Infrastructure.Data;
using Marketplace.Web.Infrastructure.Email;
using Marketplace.Web.Infrastructure.Web;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;

namespace Marketplace.Web.Features.Admin;

/// <summary>
/// The register of confidentiality incidents (Act, s. 3.8; Règlement sur les incidents de confidentialité, s. 11): an
/// admin records and updates incidents (a stale save is refused, nothing is overwritten), exports the register as CSV,
/// and writes the notice to the affected accounts: one outbox email per account in the account's language, at most
/// once per incident and account. Every change is audited. Nothing here deletes an incident (kept at least 5 years).
/// </summary>
public sealed class IncidentRegister(
    MarketplaceDbContext db,
    IStringLocalizer<SharedResource> text,
    IOptions<MarketplaceOptions> site,
    IOptions<EmailOptions> email,
    IOptions<PrivacyOptions> privacy,
    TimeProvider time)
{
    public enum Refusal
    {
        None,
        Invalid,
        /// <summary>Someone saved the incident since the form was loaded: nothing was saved.</summary>
        Stale,
        Gone,
        /// <summary>Addresses typed for a notice that match no account: nothing was written.</summary>
        UnknownAccounts,
        NoAccounts,
    }

    public sealed record Outcome(Refusal Refusal, int Id = 0, IReadOnlyList<string>? Unknown = null, int Written = 0, int AlreadyNotified = 0)
    {
        public bool Done => Refusal == Refusal.None;
    }

    /// <summary>Records a new incident (<paramref name="id"/> null) or saves one loaded at <paramref name="version"/> (UTC ticks).</summary>
    public async Task<Outcome> SaveAsync(int? id, long? version, PrivacyIncident.Details details, string actorId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        PrivacyIncident? incident = null;
        if (id is { } existing)
        {
            incident = await db.PrivacyIncidents.SingleOrDefaultAsync(i => i.Id == existing, cancellationToken);
            if (incident is null) return new Outcome(Refusal.Gone);
            if (incident.UpdatedAt.UtcTicks != version) return new Outcome(Refusal.Stale, existing);
        }
        try
        {
            if (incident is null) db.PrivacyIncidents.Add(incident = new PrivacyIncident(details, actorId, now));
            else incident.Update(details, actorId, now);
        }
        catch (DomainException)
        {
            db.ChangeTracker.Clear();
            return new Outcome(Refusal.Invalid, id ?? 0);
        }
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        try
        {
            await db.SaveChangesAsync(cancellationToken); // UpdatedAt is a concurrency token: a save racing this one fails here
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            return new Outcome(Refusal.Stale, id ?? 0);
        }
        db.AuditEntries.Add(new AuditEntry(0, null, null, actorId, AuditAction.IncidentRecorded,
            $"incident:{incident.Id} {(id is null ? "créé" : "modifié")}", now));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new Outcome(Refusal.None, incident.Id);
    }

    /// <summary>The addresses typed for a notice (one a line, or separated by commas, semicolons or spaces), as typed.</summary>
    public static IReadOnlyList<string> Addresses(string? typed) =>
        (typed ?? "").Split([',', ';', ' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Distinct(StringComparer.OrdinalIgnoreCase).ToList();

    public sealed record Recipient(string UserId, string Email, string DisplayName, string Language, bool AlreadyNotified);

    /// <summary>The accounts the typed addresses name, and the addresses that name none.</summary>
    public async Task<(IReadOnlyList<Recipient> Found, IReadOnlyList<string> Unknown)> ResolveAsync(int incidentId, string? typed,
        CancellationToken cancellationToken)
    {
        var addresses = Addresses(typed);
        var normalized = addresses.Select(a => a.ToUpperInvariant()).ToArray();
        var accounts = await db.Users.AsNoTracking().Where(u => normalized.Contains(u.NormalizedEmail!) && u.Email != null)
            .Select(u => new
            {
                u.Id, Email = u.Email!, u.NormalizedEmail, u.DisplayName, u.Language,
                Notified = db.IncidentNotices.Any(n => n.IncidentId == incidentId && n.UserId == u.Id),
            })
            .ToListAsync(cancellationToken);
        var known = accounts.Select(a => a.NormalizedEmail).ToHashSet();
        return (accounts.OrderBy(a => a.Email, StringComparer.Ordinal)
                .Select(a => new Recipient(a.Id, a.Email, a.DisplayName, a.Language, a.Notified)).ToList(),
            addresses.Where(a => !known.Contains(a.ToUpperInvariant())).ToList());
    }

    /// <summary>
    /// « Aviser les comptes touchés »: one outbox email per account not yet told of this incident, in the account's
    /// language, a notice row each (unique per incident and account), the date of notice to people recorded on the
    /// incident, and an audit entry; all in one transaction.
    /// </summary>
    public async Task<Outcome> NotifyAsync(int incidentId, string? typed, string actorId, CancellationToken cancellationToken)
    {
        var incident = await db.PrivacyIncidents.SingleOrDefaultAsync(i => i.Id == incidentId, cancellationToken);
        if (incident is null) return new Outcome(Refusal.Gone);
        var (found, unknown) = await ResolveAsync(incidentId, typed, cancellationToken);
        if (unknown.Count > 0) return new Outcome(Refusal.UnknownAccounts, incidentId, unknown);
        if (found.Count == 0) return new Outcome(Refusal.NoAccounts, incidentId);
        var now = time.GetUtcNow();
        var due = found.Where(r => !r.AlreadyNotified).ToList();
        if (due.Count == 0) return new Outcome(Refusal.None, incidentId, Written: 0, AlreadyNotified: found.Count);
        foreach (var recipient in due)
        {
            db.OutboxEmails.Add(Letter(incident, recipient, now));
            db.IncidentNotices.Add(new IncidentNotice(incidentId, recipient.UserId, recipient.Language, now));
        }
        incident.PeopleNotified(DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, Cultures.QuebecTime).DateTime), actorId, now);
        db.AuditEntries.Add(new AuditEntry(0, null, null, actorId, AuditAction.IncidentNotified,
            $"incident:{incidentId} avis écrits : {due.Count}", now));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Another admin notified some of them meanwhile (unique notice, or the incident's version): nothing was written.
            db.ChangeTracker.Clear();
            return new Outcome(Refusal.Stale, incidentId);
        }
        return new Outcome(Refusal.None, incidentId, Written: due.Count, AlreadyNotified: found.Count - due.Count);
    }

    private OutboxEmail Letter(PrivacyIncident incident, Recipient recipient, DateTimeOffset now)
    {
        using var _ = Cultures.UseLanguage(recipient.Language);
        var officer = privacy.Value;
        var paragraphs = new List<string>
        {
            text["Email.Greeting", recipient.DisplayName],
            text["Incidents.Email.Intro", Period(incident)],
            text["Incidents.Email.What", incident.Description],
            text["Incidents.Email.Information", incident.InformationConcerned],
        };
        if (incident.Measures is { } measures) paragraphs.Add(text["Incidents.Email.Measures", measures]);
        paragraphs.Add(text["Incidents.Email.Contact", officer.OfficerName, officer.OfficerEmail]);
        paragraphs.Add(text["Incidents.Email.Complaint"]);
        var link = EmailBodies.Link(site.Value.PublicBaseUrl, recipient.Language == "en" ? "en/privacy" : "fr/confidentialite");
        return EmailBodies.Compose(recipient.Email, text["Incidents.Email.Subject"], paragraphs, text["Incidents.Email.Link"], link,
            text["Email.Footer"], recipient.Language, email.Value.MessageIdDomain, now, EmailKinds.Incident);
    }

    /// <summary>« le 3 décembre 2026 » or « du 1 au 3 décembre 2026 » as the current language writes it.</summary>
    public string Period(PrivacyIncident incident) => incident.OccurredTo is { } to
        ? text["Incidents.PeriodRange", Cultures.LongDate(incident.OccurredFrom), Cultures.LongDate(to)]
        : text["Incidents.PeriodDay", Cultures.LongDate(incident.OccurredFrom)];

    /// <summary>
    /// The register as CSV: UTF-8 with a byte-order mark (Excel reads the accents), one row per incident, the headers in
    /// the page's language, dates as yyyy-MM-dd, every cell quoted.
    /// </summary>
    public async Task<byte[]> CsvAsync(CancellationToken cancellationToken)
    {
        var incidents = await db.PrivacyIncidents.AsNoTracking().OrderBy(i => i.DiscoveredOn).ThenBy(i => i.Id)
            .Select(i => new
            {
                i.Id, i.OccurredFrom, i.OccurredTo, i.DiscoveredOn, i.Description, i.InformationConcerned, i.PeopleConcerned,
                i.PeopleConcernedIsEstimate, i.RiskSensitivity, i.RiskConsequences, i.RiskProbability, i.RiskConclusion,
                i.CommissionNotifiedOn, i.PeopleNotifiedOn, i.Measures, i.RecordedAt, i.UpdatedAt,
                Notices = db.IncidentNotices.Count(n => n.IncidentId == i.Id),
            }).ToListAsync(cancellationToken);
        var csv = new StringBuilder();
        string[] headers =
        [
            "Number", "OccurredFrom", "OccurredTo", "DiscoveredOn", "Description", "InformationConcerned", "PeopleConcerned",
            "PeopleConcernedIsEstimate", "RiskSensitivity", "RiskConsequences", "RiskProbability", "RiskConclusion",
            "CommissionNotifiedOn", "PeopleNotifiedOn", "NoticesWritten", "Measures", "RecordedAt", "UpdatedAt",
        ];
        Row(headers.Select(h => text[$"Incidents.Csv.{h}"].Value));
        static string Day(DateOnly? day) => day?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "";
        static string Instant(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, Cultures.QuebecTime).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
        foreach (var i in incidents)
            Row([
                i.Id.ToString(CultureInfo.InvariantCulture), Day(i.OccurredFrom), Day(i.OccurredTo), Day(i.DiscoveredOn), i.Description,
                i.InformationConcerned, i.PeopleConcerned.ToString(CultureInfo.InvariantCulture),
                i.PeopleConcernedIsEstimate ? text["Incidents.Yes"] : text["Incidents.No"], i.RiskSensitivity ?? "", i.RiskConsequences ?? "",
                i.RiskProbability ?? "", text[$"Incidents.Risk.{i.RiskConclusion}"], Day(i.CommissionNotifiedOn), Day(i.PeopleNotifiedOn),
                i.Notices.ToString(CultureInfo.InvariantCulture), i.Measures ?? "", Instant(i.RecordedAt), Instant(i.UpdatedAt),
            ]);
        return [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(csv.ToString())];

        void Row(IEnumerable<string> cells) =>
            csv.Append(string.Join(',', cells.Select(c => CsvCells.Quoted(CsvCells.Neutralized(c))))).Append("\r\n");
    }
}
