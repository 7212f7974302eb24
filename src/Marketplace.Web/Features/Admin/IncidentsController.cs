using System.Globalization;
using Marketplace.Web.Domain.Accounts;
using Marketplace.Web.Domain.Privacy;
using Marketplace.Web.Features.TwoFactor;
using Marketplace.Web.Infrastructure.Data;
using Marketplace.Web.Infrastructure.Localization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace Marketplace.Web.Features.Admin;

/// <summary>
/// « Registre des incidents de confidentialité » (/fr/admin/incidents): admins with two-factor authentication list,
/// record and update incidents, export the register, and notify the affected accounts. There is no delete: the
/// register is kept at least five years (ADR 0029).
/// </summary>
[Authorize(Roles = Roles.Admin)]
[RequireTwoFactor]
public sealed class IncidentsController(
    MarketplaceDbContext db,
    UserManager<MarketplaceUser> users,
    IncidentRegister register,
    IStringLocalizer<SharedResource> text) : Controller
{
    public sealed record Row(int Id, DateOnly OccurredFrom, DateOnly? OccurredTo, DateOnly DiscoveredOn, string Description,
        int PeopleConcerned, bool Estimate, SeriousInjuryRisk Risk, DateOnly? CommissionNotifiedOn, DateOnly? PeopleNotifiedOn, int Notices);

    /// <summary>The form as typed: dates as yyyy-MM-dd (input type=date), so nothing typed is lost when it is refused.</summary>
    public sealed class Form
    {
        public string? OccurredFrom { get; set; }
        public string? OccurredTo { get; set; }
        public string? DiscoveredOn { get; set; }
        public string? Description { get; set; }
        public string? InformationConcerned { get; set; }
        public string? PeopleConcerned { get; set; }
        public bool PeopleConcernedIsEstimate { get; set; }
        public string? RiskSensitivity { get; set; }
        public string? RiskConsequences { get; set; }
        public string? RiskProbability { get; set; }
        public SeriousInjuryRisk RiskConclusion { get; set; }
        public string? CommissionNotifiedOn { get; set; }
        public string? PeopleNotifiedOn { get; set; }
        public string? Measures { get; set; }
        public long Version { get; set; }

        public static Form Of(PrivacyIncident i) => new()
        {
            OccurredFrom = Iso(i.OccurredFrom), OccurredTo = Iso(i.OccurredTo), DiscoveredOn = Iso(i.DiscoveredOn), Description = i.Description,
            InformationConcerned = i.InformationConcerned, PeopleConcerned = i.PeopleConcerned.ToString(CultureInfo.InvariantCulture),
            PeopleConcernedIsEstimate = i.PeopleConcernedIsEstimate, RiskSensitivity = i.RiskSensitivity, RiskConsequences = i.RiskConsequences,
            RiskProbability = i.RiskProbability, RiskConclusion = i.RiskConclusion, CommissionNotifiedOn = Iso(i.CommissionNotifiedOn),
            PeopleNotifiedOn = Iso(i.PeopleNotifiedOn), Measures = i.Measures, Version = i.UpdatedAt.UtcTicks,
        };

        private static string? Iso(DateOnly? day) => day?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

        /// <summary>The details, or the localization key of the first thing wrong.</summary>
        public (PrivacyIncident.Details? Details, string? Problem) Read()
        {
            static bool Day(string? typed, out DateOnly? day)
            {
                day = null;
                if (string.IsNullOrWhiteSpace(typed)) return true;
                if (!DateOnly.TryParseExact(typed.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed)) return false;
                day = parsed;
                return true;
            }
            if (!Day(OccurredFrom, out var from) || !Day(OccurredTo, out var to) || !Day(DiscoveredOn, out var discovered)
                || !Day(CommissionNotifiedOn, out var commission) || !Day(PeopleNotifiedOn, out var people))
                return (null, "Incidents.Problem.Date");
            if (from is null || discovered is null) return (null, "Incidents.Problem.DatesRequired");
            if (to < from) return (null, "Incidents.Problem.PeriodOrder");
            if (discovered < from) return (null, "Incidents.Problem.DiscoveredBefore");
            if (string.IsNullOrWhiteSpace(Description) || string.IsNullOrWhiteSpace(InformationConcerned))
                return (null, "Incidents.Problem.TextRequired");
            if (!int.TryParse(PeopleConcerned?.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var count))
                return (null, "Incidents.Problem.People");
            if (Description.Trim().Length > PrivacyIncident.LongTextMaxLength || Measures?.Trim().Length > PrivacyIncident.LongTextMaxLength
                || new[] { InformationConcerned, RiskSensitivity, RiskConsequences, RiskProbability }.Any(t => t?.Trim().Length > PrivacyIncident.ShortTextMaxLength))
                return (null, "Incidents.Problem.TooLong");
            return (new PrivacyIncident.Details(from.Value, to, discovered.Value, Description, InformationConcerned, count,
                PeopleConcernedIsEstimate, RiskSensitivity, RiskConsequences, RiskProbability, RiskConclusion, commission, people, Measures), null);
        }
    }

    public sealed record Notice(string Email, string Language, DateTimeOffset NotifiedAt);

    /// <param name="Id">Null for a new incident.</param>
    /// <param name="Current">After a 409: the incident as someone else saved it.</param>
    public sealed record EditPage(int? Id, Form Form, DateTimeOffset? UpdatedAt, Form? Current, IReadOnlyList<Notice> Notices, string? Addresses);

    private const string View_List = "~/Features/Admin/Incidents.cshtml";
    private const string View_Edit = "~/Features/Admin/Incident.cshtml";

    [HttpGet("fr/admin/incidents", Name = "admin-incidents.fr")]
    [HttpGet("en/admin/incidents", Name = "admin-incidents.en")]
    public async Task<IActionResult> Index(CancellationToken cancellationToken)
    {
        var rows = await db.PrivacyIncidents.AsNoTracking().OrderByDescending(i => i.DiscoveredOn).ThenByDescending(i => i.Id)
            .Select(i => new Row(i.Id, i.OccurredFrom, i.OccurredTo, i.DiscoveredOn, i.Description, i.PeopleConcerned, i.PeopleConcernedIsEstimate,
                i.RiskConclusion, i.CommissionNotifiedOn, i.PeopleNotifiedOn, db.IncidentNotices.Count(n => n.IncidentId == i.Id)))
            .ToListAsync(cancellationToken);
        return View(View_List, rows);
    }

    [HttpGet("fr/admin/incidents/registre.csv", Name = "admin-incidents-csv.fr")]
    [HttpGet("en/admin/incidents/register.csv", Name = "admin-incidents-csv.en")]
    public async Task<IActionResult> Csv(CancellationToken cancellationToken) =>
        File(await register.CsvAsync(cancellationToken), "text/csv; charset=utf-8", text["Incidents.CsvFileName"]);

    [HttpGet("fr/admin/incidents/nouveau", Name = "admin-incident-new.fr")]
    [HttpGet("en/admin/incidents/new", Name = "admin-incident-new.en")]
    public IActionResult New() => View(View_Edit, new EditPage(null, new Form(), null, null, [], null));

    [HttpPost("fr/admin/incidents/nouveau")]
    [HttpPost("en/admin/incidents/new")]
    public async Task<IActionResult> Create(Form form, CancellationToken cancellationToken) => await SaveAsync(null, form, cancellationToken);

    [HttpGet("fr/admin/incidents/{id:int}", Name = "admin-incident.fr")]
    [HttpGet("en/admin/incidents/{id:int}", Name = "admin-incident.en")]
    public async Task<IActionResult> Edit(int id, CancellationToken cancellationToken)
    {
        var page = await PageAsync(id, null, null, cancellationToken);
        return page is null ? NotFound() : View(View_Edit, page);
    }

    [HttpPost("fr/admin/incidents/{id:int}")]
    [HttpPost("en/admin/incidents/{id:int}")]
    public async Task<IActionResult> Save(int id, Form form, CancellationToken cancellationToken) => await SaveAsync(id, form, cancellationToken);

    /// <summary>
    /// « Aviser les comptes touchés »: the first POST shows who will be written to (and who already was); only the
    /// confirmed one writes (ADR 0016). An address that matches no account refuses the whole notice, what was typed kept.
    /// </summary>
    [HttpPost("fr/admin/incidents/{id:int}/aviser", Name = "admin-incident-notify.fr")]
    [HttpPost("en/admin/incidents/{id:int}/notify", Name = "admin-incident-notify.en")]
    public async Task<IActionResult> Notify(int id, string? addresses, bool confirm, CancellationToken cancellationToken)
    {
        if (!await db.PrivacyIncidents.AnyAsync(i => i.Id == id, cancellationToken)) return NotFound();
        if (!confirm)
        {
            var (found, unknown) = await register.ResolveAsync(id, addresses, cancellationToken);
            if (unknown.Count > 0) return await NotifyProblemAsync(id, text["Incidents.Problem.Unknown", string.Join(", ", unknown)], addresses, cancellationToken);
            if (found.Count == 0) return await NotifyProblemAsync(id, text["Incidents.Problem.NoAddress"], addresses, cancellationToken);
            var due = found.Where(f => !f.AlreadyNotified).ToList();
            var consequences = new List<string>
            {
                text.Plural("Incidents.NotifyConfirm.Written", due.Count),
                text["Incidents.NotifyConfirm.Language"],
                text["Incidents.NotifyConfirm.Date"],
            };
            if (due.Count < found.Count) consequences.Add(text.Plural("Incidents.NotifyConfirm.Already", found.Count - due.Count));
            return View("Confirm", new Shared.Confirmation(text["Incidents.NotifyConfirmTitle", id], consequences,
                Url.RouteUrl(LocalizedLinks.RouteName("admin-incident-notify"), new { id })!,
                new Dictionary<string, string> { ["addresses"] = string.Join('\n', IncidentRegister.Addresses(addresses)) },
                text["Incidents.NotifyButton"], Url.RouteUrl(LocalizedLinks.RouteName("admin-incident"), new { id })!)
            {
                Disclosed = due.Select(d => (d.Email, d.Language == "en" ? "English" : "Français")).ToList(),
                DisclosedHeading = text["Incidents.NotifyConfirm.Who"],
            });
        }
        var outcome = await register.NotifyAsync(id, addresses, users.GetUserId(User)!, cancellationToken);
        switch (outcome.Refusal)
        {
            case IncidentRegister.Refusal.Gone:
                return NotFound();
            case IncidentRegister.Refusal.UnknownAccounts:
                return await NotifyProblemAsync(id, text["Incidents.Problem.Unknown", string.Join(", ", outcome.Unknown!)], addresses, cancellationToken);
            case IncidentRegister.Refusal.NoAccounts:
                return await NotifyProblemAsync(id, text["Incidents.Problem.NoAddress"], addresses, cancellationToken);
            case IncidentRegister.Refusal.Stale:
                return await NotifyProblemAsync(id, text["Incidents.Problem.NotifyRace"], addresses, cancellationToken, StatusCodes.Status409Conflict);
        }
        TempData["Notice"] = outcome.Written == 0
            ? text["Incidents.NotifiedNone"].Value
            : text.Plural("Incidents.Notified", outcome.Written).Value;
        return RedirectToRoute(LocalizedLinks.RouteName("admin-incident"), new { id });
    }

    private async Task<IActionResult> SaveAsync(int? id, Form form, CancellationToken cancellationToken)
    {
        var (details, problem) = form.Read();
        if (details is null) return await EditProblemAsync(id, form, text[problem!], StatusCodes.Status400BadRequest, null, cancellationToken);
        var outcome = await register.SaveAsync(id, id is null ? null : form.Version, details, users.GetUserId(User)!, cancellationToken);
        switch (outcome.Refusal)
        {
            case IncidentRegister.Refusal.None:
                TempData["Notice"] = text[id is null ? "Incidents.Recorded" : "Incidents.Saved", outcome.Id].Value;
                return RedirectToRoute(LocalizedLinks.RouteName("admin-incident"), new { id = outcome.Id });
            case IncidentRegister.Refusal.Gone:
                return NotFound();
            case IncidentRegister.Refusal.Stale:
                var current = await db.PrivacyIncidents.AsNoTracking().SingleAsync(i => i.Id == id, cancellationToken);
                // After a 409 the form carries the current version: saving again, having seen the other change, is deliberate.
                form.Version = current.UpdatedAt.UtcTicks;
                return await EditProblemAsync(id, form, text["Incidents.Problem.Stale"], StatusCodes.Status409Conflict, Form.Of(current), cancellationToken);
            default:
                return await EditProblemAsync(id, form, text["Incidents.Problem.Invalid"], StatusCodes.Status400BadRequest, null, cancellationToken);
        }
    }

    private async Task<IActionResult> EditProblemAsync(int? id, Form form, string message, int status, Form? current, CancellationToken cancellationToken)
    {
        Response.StatusCode = status;
        ViewData["Errors"] = new[] { message };
        var page = id is { } existing ? await PageAsync(existing, null, form, cancellationToken) : null;
        return View(View_Edit, (page ?? new EditPage(id, form, null, null, [], null)) with { Form = form, Current = current });
    }

    private async Task<IActionResult> NotifyProblemAsync(int id, string message, string? addresses, CancellationToken cancellationToken,
        int status = StatusCodes.Status400BadRequest)
    {
        Response.StatusCode = status;
        ViewData["Errors"] = new[] { message };
        return View(View_Edit, await PageAsync(id, addresses, null, cancellationToken));
    }

    private async Task<EditPage?> PageAsync(int id, string? addresses, Form? typed, CancellationToken cancellationToken)
    {
        var incident = await db.PrivacyIncidents.AsNoTracking().SingleOrDefaultAsync(i => i.Id == id, cancellationToken);
        if (incident is null) return null;
        var notices = await (from n in db.IncidentNotices.AsNoTracking()
                             join u in db.Users on n.UserId equals u.Id into people
                             from u in people.DefaultIfEmpty()
                             where n.IncidentId == id
                             orderby n.NotifiedAt, n.Id
                             select new Notice(u == null ? "" : u.Email ?? "", n.Language, n.NotifiedAt)).ToListAsync(cancellationToken);
        return new EditPage(id, typed ?? Form.Of(incident), incident.UpdatedAt, null, notices, addresses);
    }
}
