using Marketplace.Web.Domain.Accounts;
using Marketplace.Web.Domain.Listings;
using Marketplace.Web.Domain.Matching;
using Marketplace.Web.Domain.Providers;
using Marketplace.Web.Features.Directory;
using Marketplace.Web.Features.Needs;
using Marketplace.Web.Infrastructure;
using Marketplace.Web.Infrastructure.Data;
using Marketplace.Web.Infrastructure.Email;
using Marketplace.Web.Infrastructure.Search;
using Marketplace.Web.Infrastructure.Web;
using Microsoft.EntityFrameworkCore;
using Marketplace.Web.Infrastructure.Localization;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;

namespace Marketplace.Web.Features.Digests;

/// <summary>
/// The weekly digests of one period (issue 5). <see cref="BuildAsync"/> writes one outbox row per opted-in recipient
/// with something new, unique on (recipient, period), before anything is sent; a recipient who already has a row for
/// the period is skipped, so building again adds nothing. <see cref="SendAsync"/> delivers the period's rows through
/// the outbox sender (claim, send, record; retries with back-off; never a row already sent).
/// What is new: for nonprofit staff, the providers first matched to each open request of their organization since the
/// last digest they were sent (all current matches for a first digest), less the dismissed ones; for provider staff,
/// the open requests first matched to their listing since then, anonymized; for curators, the state of their queue.
/// A digest shows the best of what is new (<see cref="DigestOptions"/>) and says how much more waits on the site: a letter
/// of three hundred items is not read, and Gmail clips a message over 102 KB, footer and stop link included.
/// </summary>
public sealed class DigestRun(
    MarketplaceDbContext db,
    DigestSubscriptions subscriptions,
    MatchCards cards,
    Vocabulary vocabulary,
    Curation.Reverification reverification,
    OutboxDelivery delivery,
    IStringLocalizer<SharedResource> text,
    IOptions<MarketplaceOptions> site,
    IOptions<EmailOptions> email,
    IOptions<PrivacyOptions> privacy,
    IOptions<DigestOptions> limits,
    TimeProvider time,
    ILogger<DigestRun> logger)
{
    private const int Page = 500;

    /// <summary>Rows built by this run, rows of the period in all (earlier runs too), recipients with nothing new.</summary>
    public sealed record Built(int New, int Total, int NothingNew);

    public sealed record Delivered(int Sent, int Failed, int Pending, int Total, int SentTotal, int FailedTotal);

    private sealed record Recipient(string Id, string Email, string Name, string Language, int? OrganizationId, OrganizationKind? Kind,
        int? ProviderId, bool Curator, DateTimeOffset? Since);

    private sealed record QueueState(int Submissions, int? OldestSubmissionDays, int Reviews, int? OldestReviewDays, int Reverify,
        int Withdrawals = 0, int? OldestWithdrawalDays = null);

    public async Task<Built> BuildAsync(string period, CancellationToken cancellationToken)
    {
        if (!DigestPeriods.IsValid(period)) throw new ArgumentException($"Not an ISO week: {period}", nameof(period));
        var until = time.GetUtcNow();
        QueueState? queue = null;
        int built = 0, empty = 0;
        string? after = null;
        var conflicts = 0;
        while (true)
        {
            var page = await RecipientsAsync(period, after, cancellationToken);
            if (page.Count == 0) break;
            var nonprofit = await NonprofitNewsAsync(page, until, cancellationToken);
            var provider = await ProviderNewsAsync(page, until, cancellationToken);
            int pageBuilt = 0, pageEmpty = 0;
            foreach (var recipient in page)
            {
                using var _ = Cultures.UseLanguage(recipient.Language);
                var (sections, count) = recipient.Kind switch
                {
                    OrganizationKind.Nonprofit => await NonprofitSectionsAsync(recipient, nonprofit, cancellationToken),
                    OrganizationKind.Provider => await ProviderSectionsAsync(recipient, provider, cancellationToken),
                    _ => (new List<DigestBodies.Section>(), 0),
                };
                if (recipient.Curator)
                {
                    queue ??= await QueueStateAsync(until, cancellationToken);
                    if (CuratorSection(queue) is { } section) sections.Add(section);
                }
                if (sections.Count == 0) { pageEmpty++; continue; }
                db.OutboxEmails.Add(Compose(recipient, period, sections, count, until));
                pageBuilt++;
            }
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException) when (++conflicts <= 3)
            {
                // Another run built some of these rows meanwhile: theirs stand. The page is read again without them.
                logger.LogWarning("Digest {Period}: another run built rows of the same page; reading it again", period);
                db.ChangeTracker.Clear();
                continue;
            }
            db.ChangeTracker.Clear();
            built += pageBuilt;
            empty += pageEmpty;
            after = page[^1].Id;
        }
        return new Built(built, await db.OutboxEmails.CountAsync(e => e.DigestPeriod == period, cancellationToken), empty);
    }

    /// <summary>
    /// Delivers the period's due rows. Rows another sender claimed and never recorded (a crash) become due when their
    /// lease ends; with <paramref name="waitForLeases"/>, waits for that (at most one lease) so the period ends complete.
    /// </summary>
    public async Task<Delivered> SendAsync(string period, bool waitForLeases, CancellationToken cancellationToken)
    {
        int sent = 0, failed = 0;
        var waitUntil = time.GetUtcNow() + TimeSpan.FromSeconds(email.Value.LeaseSeconds) + TimeSpan.FromSeconds(1);
        while (true)
        {
            var (s, f) = await delivery.DeliverDueAsync(int.MaxValue, cancellationToken, period);
            sent += s;
            failed += f;
            if (!waitForLeases || time.GetUtcNow() > waitUntil) break;
            var leased = await db.OutboxEmails.Where(e => e.DigestPeriod == period && e.SentAt == null && e.LeaseToken != null)
                .Select(e => (DateTimeOffset?)e.NextAttemptAt).MinAsync(cancellationToken);
            if (leased is null) break;
            var wait = leased.Value - time.GetUtcNow();
            if (wait > TimeSpan.Zero) await Task.Delay(wait < TimeSpan.FromSeconds(1) ? wait : TimeSpan.FromSeconds(1), cancellationToken);
        }
        var rows = db.OutboxEmails.Where(e => e.DigestPeriod == period);
        return new Delivered(sent, failed,
            await rows.CountAsync(e => e.SentAt == null && e.Attempts < OutboxEmail.MaxAttempts, cancellationToken),
            await rows.CountAsync(cancellationToken),
            await rows.CountAsync(e => e.SentAt != null, cancellationToken),
            await rows.CountAsync(e => e.SentAt == null && e.Attempts >= OutboxEmail.MaxAttempts, cancellationToken));
    }

    // ---- Who gets one ----

    private async Task<List<Recipient>> RecipientsAsync(string period, string? after, CancellationToken cancellationToken)
    {
        var rows = await (from u in db.Users.AsNoTracking()
                          where u.EmailConfirmed && u.Email != null && (after == null || string.Compare(u.Id, after) > 0)
                                && db.Consents.Any(c => c.UserId == u.Id && c.Purpose == ConsentPurpose.WeeklyDigest && c.WithdrawnAt == null)
                                && !db.OutboxEmails.Any(e => e.RecipientUserId == u.Id && e.DigestPeriod == period)
                          orderby u.Id
                          select new
                          {
                              u.Id, Email = u.Email!, u.DisplayName, u.Language, u.OrganizationId,
                              Kind = db.Organizations.Where(o => o.Id == u.OrganizationId).Select(o => (OrganizationKind?)o.Kind).FirstOrDefault(),
                              ProviderId = db.Organizations.Where(o => o.Id == u.OrganizationId).Select(o => o.ProviderId).FirstOrDefault(),
                              Curator = (from ur in db.UserRoles join r in db.Roles on ur.RoleId equals r.Id
                                         where ur.UserId == u.Id && r.Name == Roles.Curator select ur).Any(),
                              Since = db.OutboxEmails.Where(e => e.RecipientUserId == u.Id && e.DigestPeriod != null && e.SentAt != null)
                                  .Max(e => (DateTimeOffset?)e.CreatedAt),
                          })
            .Take(Page).ToListAsync(cancellationToken);
        return rows.Select(r => new Recipient(r.Id, r.Email, r.DisplayName, r.Language == "en" ? "en" : "fr", r.OrganizationId, r.Kind,
            r.ProviderId, r.Curator, r.Since)).ToList();
    }

    // ---- Nonprofit staff: new providers for each open request ----

    private sealed record NonprofitNews(ILookup<int, NeedRequest> Requests, ILookup<int, MatchRecord> Matches, IReadOnlyDictionary<int, Provider> Providers);

    private async Task<NonprofitNews> NonprofitNewsAsync(List<Recipient> page, DateTimeOffset until, CancellationToken cancellationToken)
    {
        var organizations = page.Where(r => r.Kind == OrganizationKind.Nonprofit).Select(r => r.OrganizationId!.Value).Distinct().ToArray();
        var requests = await db.NeedRequests.AsNoTracking().Where(r => organizations.Contains(r.OrganizationId) && r.Status == RequestStatus.Open)
            .OrderBy(r => r.Id).ToListAsync(cancellationToken);
        var requestIds = requests.Select(r => r.Id).ToArray();
        var earliest = page.Where(r => r.Kind == OrganizationKind.Nonprofit).Select(r => r.Since ?? DateTimeOffset.MinValue).DefaultIfEmpty().Min();
        var matches = await db.Matches.AsNoTracking()
            .Where(m => requestIds.Contains(m.RequestId) && m.FirstMatchedAt > earliest && m.FirstMatchedAt <= until
                        && !db.MatchResponses.Any(x => x.RequestId == m.RequestId && x.ProviderId == m.ProviderId && x.DismissedAt != null))
            .ToListAsync(cancellationToken);
        var providerIds = matches.Select(m => m.ProviderId).Distinct().ToArray();
        var providers = await db.Providers.AsNoTracking().AsSplitQuery().Include(p => p.Offerings)
            .Where(p => providerIds.Contains(p.Id) && p.Status == ListingStatus.Published).ToDictionaryAsync(p => p.Id, cancellationToken);
        return new NonprofitNews(requests.ToLookup(r => r.OrganizationId), matches.ToLookup(m => m.RequestId), providers);
    }

    private async Task<(List<DigestBodies.Section> Sections, int Count)> NonprofitSectionsAsync(Recipient recipient, NonprofitNews news,
        CancellationToken cancellationToken)
    {
        var sections = new List<DigestBodies.Section>();
        var terms = await vocabulary.TermsAsync(cancellationToken);
        int count = 0, moreRequests = 0;
        foreach (var request in news.Requests[recipient.OrganizationId!.Value])
        {
            var fresh = news.Matches[request.Id]
                .Where(m => m.FirstMatchedAt > (recipient.Since ?? DateTimeOffset.MinValue) && news.Providers.ContainsKey(m.ProviderId))
                .OrderByDescending(m => m.Score).ThenBy(m => m.ProviderId).ToList();
            if (fresh.Count == 0) continue;
            count += fresh.Count;
            if (sections.Count == limits.Value.RequestsPerDigest) { moreRequests++; continue; }
            var regionName = await vocabulary.RegionNameAsync(request.Region, cancellationToken);
            var items = fresh.Take(limits.Value.ProvidersPerRequest).Select(m =>
            {
                var provider = news.Providers[m.ProviderId];
                return new DigestBodies.Item(provider.Name, [string.Join(" · ", cards.Reasons(request, m, provider, terms, regionName))],
                    text["Digest.SeeProvider"], Link(recipient.Language, $"fournisseurs/{provider.Slug}", $"providers/{provider.Slug}"));
            }).ToList();
            sections.Add(new DigestBodies.Section(text["Digest.Nonprofit.Heading", request.Title], items, text["Digest.Nonprofit.SeeRequest"],
                Link(recipient.Language, $"compte/besoins/{request.Id}", $"account/needs/{request.Id}"),
                fresh.Count > items.Count ? text.Plural("Digest.Nonprofit.More", fresh.Count - items.Count).Value : null));
        }
        if (moreRequests > 0)
            sections.Add(new DigestBodies.Section(text["Digest.Nonprofit.OtherRequests"], [], text["Digest.Nonprofit.SeeRequests"],
                Link(recipient.Language, "compte/besoins", "account/needs"), text.Plural("Digest.Nonprofit.MoreRequests", moreRequests)));
        return (sections, count);
    }

    // ---- Provider staff: new requests matched to their listing, anonymized ----

    private sealed record ProviderNews(ILookup<int, (MatchRecord Match, NeedRequest Request)> ByProvider);

    private async Task<ProviderNews> ProviderNewsAsync(List<Recipient> page, DateTimeOffset until, CancellationToken cancellationToken)
    {
        var providers = page.Where(r => r.Kind == OrganizationKind.Provider && r.ProviderId is not null).Select(r => r.ProviderId!.Value).Distinct().ToArray();
        var earliest = page.Where(r => r.Kind == OrganizationKind.Provider).Select(r => r.Since ?? DateTimeOffset.MinValue).DefaultIfEmpty().Min();
        var rows = await (from m in db.Matches.AsNoTracking()
                          join r in db.NeedRequests.AsNoTracking() on m.RequestId equals r.Id
                          where providers.Contains(m.ProviderId) && r.Status == RequestStatus.Open && m.FirstMatchedAt > earliest && m.FirstMatchedAt <= until
                                && !db.MatchResponses.Any(x => x.RequestId == m.RequestId && x.ProviderId == m.ProviderId && x.DismissedAt != null)
                          orderby m.FirstMatchedAt, r.Id
                          select new { Match = m, Request = r }).ToListAsync(cancellationToken);
        return new ProviderNews(rows.ToLookup(x => x.Match.ProviderId, x => (x.Match, x.Request)));
    }

    private async Task<(List<DigestBodies.Section> Sections, int Count)> ProviderSectionsAsync(Recipient recipient, ProviderNews news,
        CancellationToken cancellationToken)
    {
        if (recipient.ProviderId is not { } providerId) return ([], 0);
        var fresh = news.ByProvider[providerId].Where(x => x.Match.FirstMatchedAt > (recipient.Since ?? DateTimeOffset.MinValue))
            .OrderByDescending(x => x.Match.Score).ThenByDescending(x => x.Match.FirstMatchedAt).ThenBy(x => x.Request.Id).ToList();
        if (fresh.Count == 0) return ([], 0);
        var terms = await vocabulary.TermsAsync(cancellationToken);
        string Label(Facet facet, string key) => terms[facet].FirstOrDefault(t => t.Key == key)?.Label ?? key;
        var items = new List<DigestBodies.Item>();
        foreach (var (_, request) in fresh.Take(limits.Value.RequestsPerDigest))
        {
            var lines = new List<string>
            {
                text["Digest.Provider.Where", await vocabulary.RegionNameAsync(request.Region, cancellationToken)],
                text["Digest.Provider.BudgetTimeline", text[$"Needs.Budget.{request.Budget}"], text[$"Needs.Timeline.{request.Timeline}"]],
            };
            if (request.Description.Length > 0)
                lines.Add(request.Description.Length > 280 ? request.Description[..280].TrimEnd() + "…" : request.Description);
            // Anonymized as on the site: categories, never the title or the organization.
            items.Add(new DigestBodies.Item(string.Join(" · ", request.Categories.Select(c => Label(Facet.Category, c))), lines,
                text["Digest.Provider.SayInterested"], Link(recipient.Language, $"compte/demandes/{request.Id}", $"account/requests/{request.Id}")));
        }
        var more = fresh.Count - items.Count;
        return ([new DigestBodies.Section(text["Digest.Provider.Heading"], items,
            more > 0 ? text["Digest.Provider.SeeAll"].Value : null, more > 0 ? Link(recipient.Language, "compte/demandes", "account/requests") : null,
            more > 0 ? text.Plural("Digest.Provider.More", more).Value : null)], fresh.Count);
    }

    // ---- Curators: the state of their queue ----

    private async Task<QueueState> QueueStateAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var submissions = await db.ListingRevisions.AsNoTracking().Where(r => r.State == RevisionState.Submitted)
            .Select(r => r.SubmittedAt).ToListAsync(cancellationToken);
        var reviews = await db.HumanReviews.AsNoTracking().Where(r => r.AnsweredAt == null).Select(r => r.RequestedAt).ToListAsync(cancellationToken);
        // Reviews asked by providers (s. 12.1) wait in the same queue as the nonprofits' ones.
        reviews.AddRange(await db.ProviderReviews.AsNoTracking().Where(r => r.AnsweredAt == null).Select(r => r.RequestedAt).ToListAsync(cancellationToken));
        var withdrawals = await db.WithdrawalRequests.AsNoTracking().Where(w => w.Decision == Domain.Privacy.WithdrawalDecision.Pending)
            .Select(w => w.RequestedAt).ToListAsync(cancellationToken);
        int? Oldest(IEnumerable<DateTimeOffset> dates) => dates.Select(d => (int?)(now - d).TotalDays).Max();
        return new QueueState(submissions.Count, Oldest(submissions.OfType<DateTimeOffset>()), reviews.Count, Oldest(reviews),
            (await reverification.DueAsync(cancellationToken)).Count, withdrawals.Count, Oldest(withdrawals));
    }

    private DigestBodies.Section? CuratorSection(QueueState queue)
    {
        if (queue.Submissions + queue.Reviews + queue.Reverify + queue.Withdrawals == 0) return null;
        var items = new List<DigestBodies.Item>
        {
            new(text["Digest.Curator.Submissions", queue.Submissions], queue.OldestSubmissionDays is { } s ? [text.Plural("Digest.Curator.Oldest", s)] : [], null, null),
            new(text["Digest.Curator.Reviews", queue.Reviews], queue.OldestReviewDays is { } r ? [text.Plural("Digest.Curator.Oldest", r)] : [], null, null),
            new(text["Digest.Curator.Reverify", queue.Reverify], [], null, null),
        };
        // Only when there is one: a withdrawal request (s. 28.1) is rare and should not read as a standing line.
        if (queue.Withdrawals > 0)
            items.Add(new(text["Digest.Curator.Withdrawals", queue.Withdrawals],
                queue.OldestWithdrawalDays is { } w ? [text.Plural("Digest.Curator.Oldest", w)] : [], null, null));
        return new DigestBodies.Section(text["Digest.Curator.Heading"], items, text["Digest.Curator.OpenQueue"],
            Link(Cultures.Current, "conservation", "curation"));
    }

    // ---- The message ----

    /// <param name="count">Everything new for the recipient, shown or not: what the subject announces.</param>
    private OutboxEmail Compose(Recipient recipient, string period, List<DigestBodies.Section> sections, int count, DateTimeOffset now)
    {
        // People read the week as a date in their language (« semaine du 16 novembre 2026 »), not as 2026-W47.
        var week = Cultures.LongDate(DigestPeriods.Monday(period));
        var subject = recipient.Kind switch
        {
            OrganizationKind.Nonprofit => text.Plural("Digest.Nonprofit.Subject", count, count, week),
            OrganizationKind.Provider => text.Plural("Digest.Provider.Subject", count, count, week),
            _ => text["Digest.Curator.Subject", week],
        };
        var stop = subscriptions.StopLink(recipient.Id, recipient.Language);
        var letter = new DigestBodies.Letter(text["Email.Greeting", recipient.Name], text["Digest.Introduction", week],
            sections, text["Digest.Footer", privacy.Value.OfficerName, privacy.Value.OfficerEmail], text["Digest.Stop"], stop);
        return OutboxEmail.Digest(recipient.Id, period, recipient.Email, subject, DigestBodies.Text(letter), DigestBodies.Html(letter),
            recipient.Language, subscriptions.MessageId(recipient.Id, period), stop, now);
    }

    private string Link(string language, string frPath, string enPath) =>
        EmailBodies.Link(site.Value.PublicBaseUrl, language == "en" ? $"en/{enPath}" : $"fr/{frPath}");
}
