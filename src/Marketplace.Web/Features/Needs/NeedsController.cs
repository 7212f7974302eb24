using Marketplace.Web.Domain;
using Marketplace.Web.Domain.Accounts;
using Marketplace.Web.Domain.Matching;
using Marketplace.Web.Domain.Taxonomy;
using Marketplace.Web.Features.Directory;
using Marketplace.Web.Infrastructure.Data;
using Marketplace.Web.Infrastructure.Jobs;
using Marketplace.Web.Infrastructure.Localization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace Marketplace.Web.Features.Needs;

/// <summary>
/// A nonprofit's requests and their matches: the guided diagnostic, create, edit, pause, resume and close, the ranked
/// matches with their reasons, « demander une révision par une personne », dismissal with a reason, contact through
/// the site, and sharing its details with a provider by choice. Every request is looked up through the signed-in
/// user's organization: another organization's id is a 404.
/// </summary>
[Authorize(Roles = Roles.Nonprofit)]
public sealed class NeedsController(
    MarketplaceDbContext db,
    UserManager<MarketplaceUser> users,
    Vocabulary vocabulary,
    MatchCards cards,
    NeedEmails emails,
    Conversations.ConversationDelivery delivery,
    MatchingQueue queue,
    TimeProvider time,
    IStringLocalizer<SharedResource> text,
    Conversations.MessageLimits limits) : Controller
{
    /// <summary>How long after a change the page says that matches are being computed.</summary>
    public static readonly TimeSpan ComputingWindow = TimeSpan.FromMinutes(2);

    public sealed record ListItem(NeedRequest Request, int Matches);

    public sealed record Editor(RequestForm Form, IReadOnlyDictionary<Infrastructure.Search.Facet, IReadOnlyList<Vocabulary.Term>> Terms);

    public sealed record Page(NeedRequest Request, IReadOnlyList<MatchCards.Card> Matches, IReadOnlyList<HumanReview> Reviews,
        bool Computing, IReadOnlyDictionary<Infrastructure.Search.Facet, IReadOnlyList<Vocabulary.Term>> Terms, string RegionName);

    public sealed record DiagnosticResult(IReadOnlyList<(Diagnostic.Suggestion Suggestion, string Label)> Suggestions);

    public sealed record ContactPage(NeedRequest Request, MatchCards.Card Match, string? Message, bool Share,
        Conversations.ConversationDelivery.Reach Reach, NeedEmails.Disclosure WouldShare);

    // ---- Diagnostic: open to everyone, nothing stored ----

    [AllowAnonymous]
    [HttpGet("fr/diagnostic", Name = "diagnostic.fr")]
    [HttpGet("en/diagnostic", Name = "diagnostic.en")]
    public IActionResult Diagnostic() => View(Needs.Diagnostic.Questions);

    [AllowAnonymous]
    [HttpGet("fr/diagnostic/resultat", Name = "diagnostic-result.fr")]
    [HttpGet("en/diagnostic/result", Name = "diagnostic-result.en")]
    public async Task<IActionResult> DiagnosticResults(CancellationToken cancellationToken)
    {
        var answers = Request.Query.Where(q => !string.IsNullOrEmpty(q.Value.ToString()) && q.Key != "lang")
            .ToDictionary(q => q.Key, q => q.Value.ToString());
        if (!Needs.Diagnostic.TrySuggest(answers, out var suggestions))
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            ViewData["Errors"] = new[] { text["Diagnostic.Invalid"].Value };
            return View(nameof(Diagnostic), Needs.Diagnostic.Questions);
        }
        var terms = await vocabulary.TermsAsync(cancellationToken);
        var labelled = suggestions.Select(s => (s, terms[Infrastructure.Search.Facet.Category].FirstOrDefault(t => t.Key == s.Category)?.Label ?? s.Category))
            .ToList();
        return View(new DiagnosticResult(labelled));
    }

    // ---- Requests ----

    [HttpGet("fr/compte/besoins", Name = "needs.fr")]
    [HttpGet("en/account/needs", Name = "needs.en")]
    public async Task<IActionResult> Index(CancellationToken cancellationToken)
    {
        var organization = await OrganizationAsync();
        if (organization is null) return NotFound();
        var rows = await db.NeedRequests.AsNoTracking().Where(r => r.OrganizationId == organization.Id)
            .OrderBy(r => r.Status).ThenByDescending(r => r.UpdatedAt).ThenByDescending(r => r.Id)
            .Select(r => new { Request = r, Matches = db.Matches.Count(m => m.RequestId == r.Id) })
            .ToListAsync(cancellationToken);
        ViewData["Organization"] = organization.Name;
        return View(rows.Select(r => new ListItem(r.Request, r.Matches)).ToList());
    }

    [HttpGet("fr/compte/besoins/nouveau", Name = "need-new.fr")]
    [HttpGet("en/account/needs/new", Name = "need-new.en")]
    public async Task<IActionResult> New([FromQuery] List<string>? categories, [FromQuery] string? description, CancellationToken cancellationToken)
    {
        if (await OrganizationAsync() is null) return NotFound();
        var terms = await vocabulary.TermsAsync(cancellationToken);
        var known = (categories ?? []).Where(c => terms[Infrastructure.Search.Facet.Category].Any(t => t.Key == c)).Distinct().ToList();
        var form = new RequestForm
        {
            Categories = known, Description = description?.Length <= NeedRequest.DescriptionMaxLength ? description : null,
            Language = Infrastructure.Web.Cultures.Current, Title = PrefilledTitle(known, terms),
        };
        return View("Form", new Editor(form, terms));
    }

    [HttpPost("fr/compte/besoins/nouveau")]
    [HttpPost("en/account/needs/new")]
    public async Task<IActionResult> Create(RequestForm form, CancellationToken cancellationToken)
    {
        var organization = await OrganizationAsync();
        if (organization is null) return NotFound();
        form.Id = null;
        if (!await EmailConfirmedAsync()) return await UnconfirmedAsync(form, cancellationToken);
        var (values, problems) = await ValidateAsync(form, cancellationToken);
        if (values is null) return await FormProblemAsync(form, problems, cancellationToken);
        var request = new NeedRequest(organization.Id, values.Title, values.Description, values.Categories, values.Region, values.Delivery,
            values.Language, values.Budget, values.Timeline, values.Preferences, time.GetUtcNow());
        db.NeedRequests.Add(request);
        await db.SaveChangesAsync(cancellationToken);
        await queue.RequestChangedAsync(request.Id, cancellationToken);
        TempData["Notice"] = text["Needs.Created"].Value;
        return RedirectToRoute(LocalizedLinks.RouteName("need"), new { id = request.Id });
    }

    [HttpGet("fr/compte/besoins/{id:int}", Name = "need.fr")]
    [HttpGet("en/account/needs/{id:int}", Name = "need.en")]
    public async Task<IActionResult> Show(int id, CancellationToken cancellationToken)
    {
        var request = await OwnRequestAsync(id, tracked: false, cancellationToken);
        if (request is null) return NotFound();
        var matches = await cards.ForAsync(request, cancellationToken);
        var reviews = await db.HumanReviews.AsNoTracking().Where(r => r.RequestId == id).OrderByDescending(r => r.RequestedAt)
            .ThenByDescending(r => r.Id).ToListAsync(cancellationToken);
        var computing = request.Status == RequestStatus.Open && time.GetUtcNow() - request.UpdatedAt < ComputingWindow
                        && !await db.JobRuns.AnyAsync(j => j.FinishedAt != null && j.StartedAt >= request.UpdatedAt, cancellationToken);
        return View(new Page(request, matches, reviews, computing, await vocabulary.TermsAsync(cancellationToken),
            await vocabulary.RegionNameAsync(request.Region, cancellationToken)));
    }

    [HttpGet("fr/compte/besoins/{id:int}/modifier", Name = "need-edit.fr")]
    [HttpGet("en/account/needs/{id:int}/edit", Name = "need-edit.en")]
    public async Task<IActionResult> Edit(int id, CancellationToken cancellationToken)
    {
        var request = await OwnRequestAsync(id, tracked: false, cancellationToken);
        if (request is null) return NotFound();
        if (request.Status == RequestStatus.Closed) return Closed(id);
        return View("Form", new Editor(RequestForm.From(request), await vocabulary.TermsAsync(cancellationToken)));
    }

    [HttpPost("fr/compte/besoins/{id:int}/modifier")]
    [HttpPost("en/account/needs/{id:int}/edit")]
    public async Task<IActionResult> Update(int id, RequestForm form, CancellationToken cancellationToken)
    {
        var request = await OwnRequestAsync(id, tracked: true, cancellationToken);
        if (request is null) return NotFound();
        form.Id = id;
        if (!await EmailConfirmedAsync()) return await UnconfirmedAsync(form, cancellationToken);
        if (request.Status == RequestStatus.Closed) return await FormProblemAsync(form, [text["Needs.ClosedCannotChange"]], cancellationToken, StatusCodes.Status409Conflict);
        var (values, problems) = await ValidateAsync(form, cancellationToken);
        if (values is null) return await FormProblemAsync(form, problems, cancellationToken);
        request.Edit(values.Title, values.Description, values.Categories, values.Region, values.Delivery, values.Language, values.Budget,
            values.Timeline, values.Preferences, time.GetUtcNow());
        await db.SaveChangesAsync(cancellationToken);
        await queue.RequestChangedAsync(request.Id, cancellationToken);
        TempData["Notice"] = text["Needs.Saved"].Value;
        return RedirectToRoute(LocalizedLinks.RouteName("need"), new { id });
    }

    [HttpPost("fr/compte/besoins/{id:int}/statut", Name = "need-status.fr")]
    [HttpPost("en/account/needs/{id:int}/status", Name = "need-status.en")]
    public async Task<IActionResult> Status(int id, string? change, bool confirm, CancellationToken cancellationToken)
    {
        var request = await OwnRequestAsync(id, tracked: true, cancellationToken);
        if (request is null) return NotFound();
        var now = time.GetUtcNow();
        if (change == "close" && !confirm && request.Status != RequestStatus.Closed)
            return View("Confirm", CloseConfirmation(request, now)); // nothing changes before the nonprofit confirms (ADR 0016)
        if (change == "reopen" && request.Status == RequestStatus.Closed && !request.CanReopen(now))
            return Conflict(id, "Needs.ReopenTooLate");
        try
        {
            switch (change)
            {
                case "pause": request.Pause(now); break;
                case "resume": request.Resume(now); break;
                case "close": request.Close(now); break;
                case "reopen": request.Reopen(now); break;
                default: return BadRequestNotice(id, "Needs.UnknownChange");
            }
        }
        catch (DomainException)
        {
            return Conflict(id, "Needs.StatusConflict");
        }
        await db.SaveChangesAsync(cancellationToken);
        await queue.RequestChangedAsync(request.Id, cancellationToken);
        TempData["Notice"] = (change == "reopen" ? text["Needs.Reopened"] : text[$"Needs.Status.Done.{request.Status}"]).Value;
        return RedirectToRoute(LocalizedLinks.RouteName("need"), new { id });
    }

    [HttpPost("fr/compte/besoins/{id:int}/revision", Name = "need-review.fr")]
    [HttpPost("en/account/needs/{id:int}/review", Name = "need-review.en")]
    public async Task<IActionResult> AskReview(int id, string? question, CancellationToken cancellationToken)
    {
        var request = await OwnRequestAsync(id, tracked: false, cancellationToken);
        if (request is null) return NotFound();
        if (question?.Trim().Length > HumanReview.TextMaxLength) return BadRequestNotice(id, "Needs.Problem.TooLong");
        if (await db.HumanReviews.AnyAsync(r => r.RequestId == id && r.AnsweredAt == null, cancellationToken))
            return Conflict(id, "Needs.ReviewPending");
        db.HumanReviews.Add(new HumanReview(id, users.GetUserId(User)!, question, time.GetUtcNow()));
        await db.SaveChangesAsync(cancellationToken);
        TempData["Notice"] = text["Needs.ReviewAsked"].Value;
        return RedirectToRoute(LocalizedLinks.RouteName("need"), new { id });
    }

    // ---- One match: dismiss, restore, contact, share details ----

    [HttpPost("fr/compte/besoins/{id:int}/fournisseurs/{providerId:int}/ecarter", Name = "need-dismiss.fr")]
    [HttpPost("en/account/needs/{id:int}/providers/{providerId:int}/dismiss", Name = "need-dismiss.en")]
    public async Task<IActionResult> Dismiss(int id, int providerId, string? reason, CancellationToken cancellationToken)
    {
        var (request, response) = await MatchAsync(id, providerId, cancellationToken);
        if (request is null || response is null) return NotFound();
        if (!Enum.TryParse<DismissalReason>(reason, out var why) || !Enum.IsDefined(why) || int.TryParse(reason, out _))
            return BadRequestNotice(id, "Needs.DismissReasonRequired");
        response.Dismiss(why, time.GetUtcNow());
        await db.SaveChangesAsync(cancellationToken);
        await queue.ProviderChangedAsync(providerId, cancellationToken); // its dismissal feedback changed
        TempData["Notice"] = text["Needs.Dismissed"].Value;
        return RedirectToRoute(LocalizedLinks.RouteName("need"), new { id });
    }

    [HttpPost("fr/compte/besoins/{id:int}/fournisseurs/{providerId:int}/retablir", Name = "need-restore.fr")]
    [HttpPost("en/account/needs/{id:int}/providers/{providerId:int}/restore", Name = "need-restore.en")]
    public async Task<IActionResult> Restore(int id, int providerId, CancellationToken cancellationToken)
    {
        var (request, response) = await MatchAsync(id, providerId, cancellationToken);
        if (request is null || response is null) return NotFound();
        if (!response.Dismissed) return Conflict(id, "Needs.NotDismissed");
        response.Restore();
        await db.SaveChangesAsync(cancellationToken);
        await queue.ProviderChangedAsync(providerId, cancellationToken);
        TempData["Notice"] = text["Needs.Restored"].Value;
        return RedirectToRoute(LocalizedLinks.RouteName("need"), new { id });
    }

    [HttpGet("fr/compte/besoins/{id:int}/fournisseurs/{providerId:int}/contacter", Name = "need-contact.fr")]
    [HttpGet("en/account/needs/{id:int}/providers/{providerId:int}/contact", Name = "need-contact.en")]
    public async Task<IActionResult> Contact(int id, int providerId, CancellationToken cancellationToken)
    {
        var page = await ContactPageAsync(id, providerId, null, false, cancellationToken);
        return page is null ? NotFound() : View(page);
    }

    [HttpPost("fr/compte/besoins/{id:int}/fournisseurs/{providerId:int}/contacter")]
    [HttpPost("en/account/needs/{id:int}/providers/{providerId:int}/contact")]
    public async Task<IActionResult> SendContact(int id, int providerId, string? message, bool share, bool confirm, CancellationToken cancellationToken)
    {
        var (request, response) = await MatchAsync(id, providerId, cancellationToken);
        if (request is null || response is null) return NotFound();
        var user = await users.GetUserAsync(User) ?? throw new InvalidOperationException("Signed in without an account.");
        if (!user.EmailConfirmed)
        {
            Account.ConfirmedEmail.Refuse(this, text["Needs.ConfirmEmailFirst"]);
            return View(nameof(Contact), await ContactPageAsync(id, providerId, message, share, cancellationToken));
        }
        var reach = await delivery.ReachAsync(providerId, cancellationToken);
        string? problem = null;
        var status = StatusCodes.Status400BadRequest;
        if (string.IsNullOrWhiteSpace(message)) problem = text["Needs.Problem.Message"];
        else if (message.Trim().Length > MatchResponse.MessageMaxLength) problem = text["Needs.Problem.TooLong"];
        if (response.Dismissed) (problem, status) = (text["Needs.DismissedCannotContact"], StatusCodes.Status409Conflict);
        else if (reach?.Channel is null) (problem, status) = (text["Conversations.NoChannel"], StatusCodes.Status409Conflict);
        else if (problem is null && await limits.RefusalAsync(user.Id, request.OrganizationId, providerId, cancellationToken) is { } limited)
            (problem, status) = (limited, StatusCodes.Status429TooManyRequests);
        if (problem is not null)
        {
            Response.StatusCode = status;
            ViewData["Errors"] = new[] { problem };
            var page = await ContactPageAsync(id, providerId, message, share, cancellationToken);
            return page is null ? NotFound() : View(nameof(Contact), page);
        }
        if (share && !response.DetailsShared && !confirm)
            return View("Confirm", await ShareConfirmationAsync(request, providerId, user, message!.Trim(), reach!, cancellationToken));
        // The message goes into the thread of this request with this provider, delivered where the page said it would go.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var wasShared = response.DetailsShared;
        response.Contact(message!, share, user.Id, time.GetUtcNow());
        var conversation = await delivery.StartAsync(request.OrganizationId, providerId, id, cancellationToken);
        if (response.DetailsShared) conversation.ShareDetails(response.SharedByUserId!, time.GetUtcNow());
        var (channel, to) = await delivery.NonprofitWritesAsync(conversation, reach!, user.Id, message!.Trim(), cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        var where = delivery.SentNotice(reach!, channel, to);
        TempData["Notice"] = (response.DetailsShared && !wasShared ? text["Needs.ContactSentShared"].Value : text["Needs.ContactSent"].Value) + " " + where;
        return RedirectToRoute(LocalizedLinks.RouteName("conversation"), new { id = conversation.Id });
    }

    [HttpPost("fr/compte/besoins/{id:int}/fournisseurs/{providerId:int}/partager", Name = "need-share.fr")]
    [HttpPost("en/account/needs/{id:int}/providers/{providerId:int}/share", Name = "need-share.en")]
    public async Task<IActionResult> Share(int id, int providerId, bool confirm, CancellationToken cancellationToken)
    {
        var (request, response) = await MatchAsync(id, providerId, cancellationToken);
        if (request is null || response is null) return NotFound();
        var user = await users.GetUserAsync(User) ?? throw new InvalidOperationException("Signed in without an account.");
        if (!user.EmailConfirmed)
        {
            Account.ConfirmedEmail.Refuse(this, text["Needs.ConfirmEmailFirst"]);
            return View("Refused", id);
        }
        if (response.Dismissed) return Conflict(id, "Needs.DismissedCannotContact");
        var reach = await delivery.ReachAsync(providerId, cancellationToken);
        if (reach?.Channel is null) return Conflict(id, "Conversations.NoChannel");
        if (!response.DetailsShared && !confirm)
            return View("Confirm", await ShareConfirmationAsync(request, providerId, user, null, reach, cancellationToken));
        if (!response.DetailsShared)
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            response.ShareDetails(user.Id, time.GetUtcNow());
            var conversation = await delivery.StartAsync(request.OrganizationId, providerId, id, cancellationToken);
            conversation.ShareDetails(user.Id, time.GetUtcNow());
            await delivery.ToProviderAsync(reach, conversation, null, await emails.DisclosureAsync(request.OrganizationId, user.Id, cancellationToken), cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        TempData["Notice"] = reach.Channel == Domain.Conversations.DeliveryChannel.PublicEmail
            ? text["Conversations.SharedToPublicEmail", reach.PublicEmail!].Value
            : text["Needs.Shared"].Value;
        return RedirectToRoute(LocalizedLinks.RouteName("need"), new { id });
    }

    // ---- Confirmations (ADR 0016): what will happen, before it does ----

    private Shared.Confirmation CloseConfirmation(NeedRequest request, DateTimeOffset now) =>
        new(text["Needs.CloseConfirmTitle", request.Title],
            [
                text["Needs.CloseConfirm.Matches"], text["Needs.CloseConfirm.Edit"],
                text["Needs.CloseConfirm.Reopen", Infrastructure.Web.Cultures.LongDate(now + NeedRequest.ReopenWindow)],
            ],
            Url.RouteUrl(LocalizedLinks.RouteName("need-status"), new { id = request.Id })!,
            new Dictionary<string, string> { ["change"] = "close" }, text["Needs.Close"],
            Url.RouteUrl(LocalizedLinks.RouteName("need"), new { id = request.Id })!);

    /// <summary>
    /// Exactly what the provider will get (the same <see cref="NeedEmails.Disclosure"/> the email carries), and the message
    /// if one goes with it; the other way forward sends the message without the details.
    /// </summary>
    private async Task<Shared.Confirmation> ShareConfirmationAsync(NeedRequest request, int providerId, MarketplaceUser user, string? message,
        Conversations.ConversationDelivery.Reach reach, CancellationToken cancellationToken)
    {
        // Where the details will go, said with what goes (ADR 0018).
        string[] paragraphs =
        [
            reach.Channel == Domain.Conversations.DeliveryChannel.PublicEmail
                ? text["Needs.ShareConfirm.ToPublicEmail", reach.PublicEmail!, reach.Name]
                : text.Plural("Needs.ShareConfirm.ToMembers", reach.Members, reach.Members, reach.Name),
            text["Needs.ShareConfirm.Final"],
        ];
        var provider = await db.Providers.AsNoTracking().Where(p => p.Id == providerId).Select(p => p.Name).SingleAsync(cancellationToken);
        var disclosure = await emails.DisclosureAsync(request.OrganizationId, user.Id, cancellationToken);
        var back = Url.RouteUrl(LocalizedLinks.RouteName("need"), new { id = request.Id })!;
        var routeValues = new { id = request.Id, providerId };
        var disclosed = new[]
        {
            (text["Needs.ShareConfirm.Organization"].Value, disclosure.Organization),
            (text["Needs.ShareConfirm.Person"].Value, disclosure.Person),
            (text["Needs.ShareConfirm.Email"].Value, disclosure.Email),
        };
        if (message is null)
            return new Shared.Confirmation(text["Needs.ShareConfirmTitle", provider], paragraphs,
                Url.RouteUrl(LocalizedLinks.RouteName("need-share"), routeValues)!, new Dictionary<string, string>(), text["Needs.Share"], back)
            {
                Disclosed = disclosed, DisclosedHeading = text["Needs.ShareConfirm.What"],
            };
        var contact = Url.RouteUrl(LocalizedLinks.RouteName("need-contact"), routeValues)!;
        return new Shared.Confirmation(text["Needs.ShareConfirmTitle", provider], paragraphs, contact,
            new Dictionary<string, string> { ["message"] = message, ["share"] = "true" }, text["Needs.SendAndShare"], back)
        {
            Disclosed = disclosed, DisclosedHeading = text["Needs.ShareConfirm.What"],
            Quote = (text["Needs.ShareConfirm.Message"], message),
            Other = new Shared.Confirmation.Alternative(contact, new Dictionary<string, string> { ["message"] = message, ["share"] = "false" },
                text["Needs.SendWithoutSharing"]),
        };
    }

    // ---- Helpers ----

    private async Task<Organization?> OrganizationAsync()
    {
        var user = await users.GetUserAsync(User);
        return user?.OrganizationId is { } organizationId
            ? await db.Organizations.AsNoTracking().SingleOrDefaultAsync(o => o.Id == organizationId && o.Kind == OrganizationKind.Nonprofit)
            : null;
    }

    private async Task<NeedRequest?> OwnRequestAsync(int id, bool tracked, CancellationToken cancellationToken)
    {
        var organization = await OrganizationAsync();
        if (organization is null) return null;
        var query = db.NeedRequests.Where(r => r.Id == id && r.OrganizationId == organization.Id);
        return await (tracked ? query : query.AsNoTracking()).SingleOrDefaultAsync(cancellationToken);
    }

    /// <summary>The caller's request and its response row for a provider it was matched with (created on first use).</summary>
    private async Task<(NeedRequest? Request, MatchResponse? Response)> MatchAsync(int id, int providerId, CancellationToken cancellationToken)
    {
        var request = await OwnRequestAsync(id, tracked: false, cancellationToken);
        if (request is null) return (null, null);
        var response = await db.MatchResponses.SingleOrDefaultAsync(r => r.RequestId == id && r.ProviderId == providerId, cancellationToken);
        if (response is not null) return (request, response);
        if (!await db.Matches.AnyAsync(m => m.RequestId == id && m.ProviderId == providerId, cancellationToken)) return (request, null);
        response = new MatchResponse(id, providerId);
        db.MatchResponses.Add(response);
        return (request, response);
    }

    private async Task<ContactPage?> ContactPageAsync(int id, int providerId, string? message, bool share, CancellationToken cancellationToken)
    {
        var request = await OwnRequestAsync(id, tracked: false, cancellationToken);
        if (request is null) return null;
        var match = (await cards.ForAsync(request, cancellationToken)).FirstOrDefault(c => c.ProviderId == providerId);
        var reach = await delivery.ReachAsync(providerId, cancellationToken);
        if (match is null || reach is null) return null;
        var user = await users.GetUserAsync(User);
        var organization = await OrganizationAsync();
        return new ContactPage(request, match, message, share, reach,
            new NeedEmails.Disclosure(organization?.Name ?? "", user?.DisplayName ?? "", user?.Email ?? ""));
    }

    private async Task<(RequestForm.Valid? Values, List<string> Problems)> ValidateAsync(RequestForm form, CancellationToken cancellationToken)
    {
        var keys = await db.TaxonomyTerms.AsNoTracking().Select(t => new { t.Kind, t.Key }).ToListAsync(cancellationToken);
        IReadOnlySet<string> Of(TaxonomyKind kind) => keys.Where(k => k.Kind == kind).Select(k => k.Key).ToHashSet();
        form.Categories ??= [];
        return form.Validate(text, Of(TaxonomyKind.Category), Of(TaxonomyKind.Language), Of(TaxonomyKind.FundingProgram));
    }

    private async Task<IActionResult> FormProblemAsync(RequestForm form, IEnumerable<string> problems, CancellationToken cancellationToken,
        int status = StatusCodes.Status400BadRequest)
    {
        Response.StatusCode = status;
        ViewData["Errors"] = problems.ToArray();
        return View("Form", new Editor(form, await vocabulary.TermsAsync(cancellationToken)));
    }

    /// <summary>
    /// From the diagnostic: a title naming the suggested categories (« Besoin : Conformité Loi 25 et renseignements personnels, Formation et compétences numériques »), which the
    /// person can change; null without a category. The description is left to the person's own words.
    /// </summary>
    private string? PrefilledTitle(IReadOnlyList<string> categories,
        IReadOnlyDictionary<Infrastructure.Search.Facet, IReadOnlyList<Vocabulary.Term>> terms)
    {
        if (categories.Count == 0) return null;
        var labels = categories.Select(c => terms[Infrastructure.Search.Facet.Category].First(t => t.Key == c).Label).ToList();
        var title = text["Needs.PrefillTitle", string.Join(", ", labels)].Value;
        return title.Length <= NeedRequest.TitleMaxLength ? title : title[..(NeedRequest.TitleMaxLength - 1)] + "…";
    }

    private async Task<bool> EmailConfirmedAsync() => (await users.GetUserAsync(User))?.EmailConfirmed == true;

    /// <summary>An unconfirmed account: the form again as typed, 403, and the way to get a new confirmation link.</summary>
    private async Task<IActionResult> UnconfirmedAsync(RequestForm form, CancellationToken cancellationToken)
    {
        Account.ConfirmedEmail.Refuse(this, text["Account.ConfirmEmailFirst"]);
        form.Categories ??= [];
        return View("Form", new Editor(form, await vocabulary.TermsAsync(cancellationToken)));
    }

    private IActionResult Closed(int id) => Conflict(id, "Needs.ClosedCannotChange");

    private IActionResult BadRequestNotice(int id, string key) => Notice(id, key, StatusCodes.Status400BadRequest);

    private IActionResult Conflict(int id, string key) => Notice(id, key, StatusCodes.Status409Conflict);

    /// <summary>A refused action: the request page again, with the message, under a 4xx status. Nothing was changed.</summary>
    private IActionResult Notice(int id, string key, int status)
    {
        Response.StatusCode = status;
        ViewData["Errors"] = new[] { text[key].Value };
        return View("Refused", id);
    }
}
