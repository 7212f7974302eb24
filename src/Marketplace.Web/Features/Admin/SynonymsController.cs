using Marketplace.Web.Domain.Accounts;
using Marketplace.Web.Domain.Listings;
using Marketplace.Web.Domain.Taxonomy;
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
/// « Synonymes de la recherche »: the verification team and admins keep the search thesaurus (a search for one word of a
/// group also finds the others). Every change is audited and read by the next search, without a restart.
/// </summary>
[Authorize(Roles = Roles.Curator + "," + Roles.Admin)]
[RequireTwoFactor]
public sealed class SynonymsController(
    MarketplaceDbContext db,
    UserManager<MarketplaceUser> users,
    ThesaurusChange change,
    IStringLocalizer<SharedResource> text) : Controller
{
    public sealed record GroupRow(int Id, IReadOnlyList<string> Alternatives, DateTimeOffset UpdatedAt);

    public sealed record AuditRow(string Actor, DateTimeOffset At, string? Change);

    /// <param name="Query">The filter typed (accents and case ignored).</param>
    /// <param name="AddText">What is in the « ajouter » box (kept as typed when it was refused).</param>
    public sealed record ListPage(string? Query, IReadOnlyList<GroupRow> Groups, int Total, string? AddText, IReadOnlyList<AuditRow> Recent);

    /// <param name="Text">What is in the box: the group's alternatives, or what was typed when a save was refused.</param>
    /// <param name="Version">The version the next save is compared with (<see cref="SynonymGroup.UpdatedAt"/>, UTC ticks).</param>
    /// <param name="Current">After a 409: the group as someone else saved it.</param>
    public sealed record EditPage(int Id, string Text, long Version, DateTimeOffset UpdatedAt, IReadOnlyList<string>? Current);

    private const string View_List = "~/Features/Admin/Synonyms.cshtml";
    private const string View_Edit = "~/Features/Admin/SynonymGroup.cshtml";

    [HttpGet("fr/admin/synonymes", Name = "admin-synonyms.fr")]
    [HttpGet("en/admin/synonyms", Name = "admin-synonyms.en")]
    public async Task<IActionResult> Index(string? q, CancellationToken cancellationToken) =>
        View(View_List, await ListAsync(q, null, cancellationToken));

    [HttpPost("fr/admin/synonymes", Name = "admin-synonyms-add.fr")]
    [HttpPost("en/admin/synonyms", Name = "admin-synonyms-add.en")]
    public async Task<IActionResult> Add(string? alternatives, CancellationToken cancellationToken)
    {
        var outcome = await change.HandleAsync(new ThesaurusChange.Command(null, alternatives ?? "", null, users.GetUserId(User)!), cancellationToken);
        if (!outcome.Done)
            return await ListProblemAsync(Message(outcome), StatusCodes.Status400BadRequest, alternatives, cancellationToken);
        TempData["Notice"] = text["Admin.Synonyms.Added", ThesaurusChange.Shown(SynonymGroup.Parse(alternatives))].Value;
        return RedirectToRoute(LocalizedLinks.RouteName("admin-synonyms"));
    }

    [HttpGet("fr/admin/synonymes/{id:int}", Name = "admin-synonym.fr")]
    [HttpGet("en/admin/synonyms/{id:int}", Name = "admin-synonym.en")]
    public async Task<IActionResult> Edit(int id, CancellationToken cancellationToken)
    {
        var group = await GroupAsync(id, cancellationToken);
        return group is null
            ? NotFound()
            : View(View_Edit, new EditPage(group.Id, string.Join('\n', group.Alternatives), group.UpdatedAt.UtcTicks, group.UpdatedAt, null));
    }

    [HttpPost("fr/admin/synonymes/{id:int}")]
    [HttpPost("en/admin/synonyms/{id:int}")]
    public async Task<IActionResult> Save(int id, string? alternatives, long version, CancellationToken cancellationToken)
    {
        var outcome = await change.HandleAsync(new ThesaurusChange.Command(id, alternatives ?? "", version, users.GetUserId(User)!), cancellationToken);
        switch (outcome.Refusal)
        {
            case ThesaurusChange.Refusal.None:
                TempData["Notice"] = text["Admin.Synonyms.Saved", ThesaurusChange.Shown(SynonymGroup.Parse(alternatives))].Value;
                return RedirectToRoute(LocalizedLinks.RouteName("admin-synonyms"));
            case ThesaurusChange.Refusal.Gone:
                // Removed by someone else meanwhile: what was typed moves to the « ajouter » box, nothing is lost.
                return await ListProblemAsync(text["Admin.Synonyms.Gone"], StatusCodes.Status409Conflict, alternatives, cancellationToken);
        }
        var group = await GroupAsync(id, cancellationToken);
        if (group is null) return await ListProblemAsync(text["Admin.Synonyms.Gone"], StatusCodes.Status409Conflict, alternatives, cancellationToken);
        var stale = outcome.Refusal == ThesaurusChange.Refusal.Stale;
        Response.StatusCode = stale ? StatusCodes.Status409Conflict : StatusCodes.Status400BadRequest;
        ViewData["Errors"] = new[] { Message(outcome) };
        // After a 409 the form carries the current version: saving again, having seen the other change, is deliberate.
        return View(View_Edit, new EditPage(id, alternatives ?? "", stale ? group.UpdatedAt.UtcTicks : version, group.UpdatedAt,
            stale ? group.Alternatives : null));
    }

    /// <summary>Removes a group; the first POST shows what will happen and only the confirmed one removes it (ADR 0016).</summary>
    [HttpPost("fr/admin/synonymes/{id:int}/supprimer", Name = "admin-synonym-delete.fr")]
    [HttpPost("en/admin/synonyms/{id:int}/delete", Name = "admin-synonym-delete.en")]
    public async Task<IActionResult> Delete(int id, long version, bool confirm, CancellationToken cancellationToken)
    {
        var group = await GroupAsync(id, cancellationToken);
        if (group is null) return NotFound();
        var shown = ThesaurusChange.Shown(group.Alternatives);
        if (!confirm)
            return View("Confirm", new Shared.Confirmation(text["Admin.Synonyms.DeleteConfirmTitle", shown],
                [text["Admin.Synonyms.DeleteConfirm.Search"], text["Admin.Synonyms.DeleteConfirm.Audit"]],
                Url.RouteUrl(LocalizedLinks.RouteName("admin-synonym-delete"), new { id })!,
                new Dictionary<string, string> { ["version"] = version.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                text["Admin.Synonyms.Delete"], Url.RouteUrl(LocalizedLinks.RouteName("admin-synonyms"))!));
        var outcome = await change.HandleAsync(new ThesaurusChange.Command(id, null, version, users.GetUserId(User)!), cancellationToken);
        if (outcome.Refusal == ThesaurusChange.Refusal.Stale)
        {
            Response.StatusCode = StatusCodes.Status409Conflict;
            ViewData["Errors"] = new[] { Message(outcome) };
            return View(View_Edit, new EditPage(id, string.Join('\n', group.Alternatives), group.UpdatedAt.UtcTicks, group.UpdatedAt, group.Alternatives));
        }
        if (outcome.Refusal == ThesaurusChange.Refusal.Gone) return NotFound();
        TempData["Notice"] = text["Admin.Synonyms.Deleted", shown].Value;
        return RedirectToRoute(LocalizedLinks.RouteName("admin-synonyms"));
    }

    private string Message(ThesaurusChange.Outcome outcome) => outcome.Refusal switch
    {
        ThesaurusChange.Refusal.TooFew => text["Admin.Synonyms.TooFew"],
        ThesaurusChange.Refusal.TooMany => text["Admin.Synonyms.TooMany", SynonymGroup.MaxAlternatives],
        ThesaurusChange.Refusal.AlternativeTooLong => text["Admin.Synonyms.AlternativeTooLong", SynonymGroup.AlternativeMaxLength],
        ThesaurusChange.Refusal.GroupTooLong => text["Admin.Synonyms.GroupTooLong", SynonymGroup.TermsMaxLength],
        ThesaurusChange.Refusal.InAnotherGroup => text["Admin.Synonyms.InAnotherGroup", outcome.Alternative!, ThesaurusChange.Shown(outcome.Conflict!)],
        ThesaurusChange.Refusal.Stale => text["Admin.Synonyms.Stale"],
        _ => text["Admin.Synonyms.Gone"],
    };

    private async Task<IActionResult> ListProblemAsync(string message, int status, string? typed, CancellationToken cancellationToken)
    {
        Response.StatusCode = status;
        ViewData["Errors"] = new[] { message };
        return View(View_List, await ListAsync(null, typed, cancellationToken));
    }

    private async Task<GroupRow?> GroupAsync(int id, CancellationToken cancellationToken)
    {
        var group = await db.SynonymGroups.AsNoTracking().Where(g => g.Id == id).Select(g => new { g.Id, g.Terms, g.UpdatedAt })
            .SingleOrDefaultAsync(cancellationToken);
        return group is null ? null : new GroupRow(group.Id, group.Terms.Split('\n', StringSplitOptions.RemoveEmptyEntries), group.UpdatedAt);
    }

    private async Task<ListPage> ListAsync(string? query, string? addText, CancellationToken cancellationToken)
    {
        var rows = await db.SynonymGroups.AsNoTracking().Select(g => new { g.Id, g.Terms, g.UpdatedAt }).ToListAsync(cancellationToken);
        var groups = rows.Select(g => new GroupRow(g.Id, g.Terms.Split('\n', StringSplitOptions.RemoveEmptyEntries), g.UpdatedAt))
            .OrderBy(g => SynonymGroup.Fold(g.Alternatives.FirstOrDefault() ?? ""), StringComparer.Ordinal).ThenBy(g => g.Id).ToList();
        // Filtered here with the thesaurus' own folding (accents and case ignored alike on both databases): a few hundred rows.
        var folded = string.IsNullOrWhiteSpace(query) ? null : SynonymGroup.Fold(query.Trim());
        var shown = folded is null ? groups : groups.Where(g => g.Alternatives.Any(a => SynonymGroup.Fold(a).Contains(folded, StringComparison.Ordinal))).ToList();

        var recent = await db.AuditEntries.AsNoTracking().Where(a => a.Action == AuditAction.SynonymsChanged)
            .OrderByDescending(a => a.At).ThenByDescending(a => a.Id).Take(20)
            .Select(a => new { a.ActorUserId, a.At, a.Reason }).ToListAsync(cancellationToken);
        var actorIds = recent.Select(a => a.ActorUserId).Distinct().ToArray();
        var actors = await db.Users.AsNoTracking().Where(u => actorIds.Contains(u.Id))
            .Select(u => new { u.Id, u.DisplayName, u.Email }).ToDictionaryAsync(u => u.Id, cancellationToken);
        string Name(string id) => actors.TryGetValue(id, out var u)
            ? string.IsNullOrWhiteSpace(u.DisplayName) ? u.Email ?? text["Admin.Synonyms.UnknownActor"] : u.DisplayName
            : text["Admin.Synonyms.UnknownActor"];
        return new ListPage(query, shown, groups.Count, addText, recent.Select(a => new AuditRow(Name(a.ActorUserId), a.At, a.Reason)).ToList());
    }
}
