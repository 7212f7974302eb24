using Marketplace.Web.Domain.Privacy;
using System.Net;
using Marketplace.Tests.Support;
using Marketplace.Web.Domain.Accounts;
using Marketplace.Web.Domain.Conversations;
using Marketplace.Web.Domain.Listings;
using Marketplace.Web.Domain.Matching;
using Marketplace.Web.Features.Account;
using Marketplace.Web.Infrastructure.Cli;
using Marketplace.Web.Infrastructure.Data;
using Marketplace.Web.Infrastructure.Email;
using Marketplace.Web.Infrastructure.Jobs;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Marketplace.Tests.Integration;

/// <summary>
/// Issue 14, the retention job (Law 25, s. 23): <c>jobs run retention --now</c> two years ahead clears email bodies,
/// deletes unconfirmed accounts, anonymizes closed requests, warns then deletes inactive accounts, exactly as the default
/// periods say, keeps everything younger, and a second run changes nothing.
/// </summary>
[TestFixture(DatabaseProvider.Sqlite)]
[TestFixture(DatabaseProvider.Postgres)]
public sealed class RetentionTests(DatabaseProvider provider)
{
    private MarketplaceFactory _factory = null!;
    private string Suffix => provider.ToString().ToLowerInvariant();

    [OneTimeSetUp]
    public async Task Start() => _factory = await MarketplaceFactory.StartAsync(provider);

    [OneTimeTearDown]
    public async Task Stop() => await _factory.DisposeAsync();

    private Task<string> AccountAsync(string name, bool confirmed, DateTimeOffset createdAt, DateTimeOffset? lastSeen = null,
        DateTimeOffset? warned = null, string language = "fr") =>
        _factory.WithScopeAsync(async sp =>
        {
            var email = $"{name}-{Suffix}@exemple.invalid";
            var user = new MarketplaceUser
            {
                UserName = email, Email = email, DisplayName = name, EmailConfirmed = confirmed, Language = language, CreatedAt = createdAt,
                LastSeenAt = lastSeen, InactivityWarnedAt = warned,
            };
            var result = await sp.GetRequiredService<UserManager<MarketplaceUser>>().CreateAsync(user, "une phrase de passe assez longue");
            Assert.That(result.Succeeded, string.Join(", ", result.Errors.Select(e => e.Code)));
            return user.Id;
        });

    private async Task<(string Output, int Exit)> RunAsync(DateTimeOffset now)
    {
        using var output = new StringWriter();
        var exit = await CommandLine.RunAsync(_factory.Services, ["jobs", "run", "retention", "--now", now.ToString("O")], output, CancellationToken.None);
        return (output.ToString(), exit);
    }

    /// <summary>Everything the job may touch, as one comparable value.</summary>
    private Task<string> SnapshotAsync() => _factory.WithDbAsync(async db => string.Join(" | ",
        await db.Users.CountAsync(), await db.Users.CountAsync(u => u.InactivityWarnedAt != null),
        await db.OutboxEmails.CountAsync(), await db.OutboxEmails.SumAsync(e => e.TextBody.Length + e.HtmlBody.Length),
        await db.NeedRequests.CountAsync(r => r.AnonymizedAt != null), await db.ConversationMessages.SumAsync(m => m.Body.Length),
        await db.HumanReviews.CountAsync(r => r.Question != null), await db.AuditEntries.CountAsync(), await db.Organizations.CountAsync()));

    [Test]
    public async Task Retention_two_years_ahead_clears_and_anonymizes_exactly_what_the_periods_say_and_a_second_run_changes_nothing()
    {
        var now = DateTimeOffset.UtcNow;
        var ahead = now.AddYears(2);

        // Emails: one sent 31 days before that date (cleared), one 29 days before (kept), one never sent (kept).
        var (oldEmail, youngEmail, unsentEmail) = await _factory.WithDbAsync(async db =>
        {
            OutboxEmail Email(string n) => new($"courriel-{n}-{Suffix}@exemple.invalid", $"Objet {n}", $"Texte {n}", $"<p>Texte {n}</p>", "fr",
                $"<{Guid.NewGuid():N}@panier.invalid>", now);
            var (a, b, c) = (Email("ancien"), Email("recent"), Email("en-attente"));
            db.OutboxEmails.AddRange(a, b, c);
            await db.SaveChangesAsync();
            await db.OutboxEmails.Where(e => e.Id == a.Id).ExecuteUpdateAsync(u => u.SetProperty(e => e.SentAt, ahead.AddDays(-31)));
            await db.OutboxEmails.Where(e => e.Id == b.Id).ExecuteUpdateAsync(u => u.SetProperty(e => e.SentAt, ahead.AddDays(-29)));
            return (a.Id, b.Id, c.Id);
        });

        // Accounts.
        var unconfirmedOld = await AccountAsync("non-confirme-ancien", confirmed: false, now, lastSeen: now);
        var unconfirmedYoung = await AccountAsync("non-confirme-recent", confirmed: false, ahead.AddDays(-10));
        var inactive = await AccountAsync("inactif-jamais-averti", confirmed: true, now, lastSeen: now.AddDays(-1), language: "en");
        var active = await AccountAsync("actif", confirmed: true, now, lastSeen: ahead.AddMonths(-1));
        var warnedLongAgo = await AccountAsync("inactif-averti", confirmed: true, now, lastSeen: now.AddDays(-1), warned: ahead.AddMonths(-2));
        var warnedRecently = await AccountAsync("inactif-averti-recemment", confirmed: true, now, lastSeen: now.AddDays(-1), warned: ahead.AddDays(-5));

        // Requests: one closed now (anonymized two years later), one closed six months before that date (kept), one open.
        var providerId = await _factory.AddProviderAsync($"retention-{Suffix}", $"Fournisseur rétention {Suffix}", "Fournisseur de test.");
        var (closedOld, closedYoung, open) = await _factory.WithDbAsync(async db =>
        {
            var organization = new Organization($"Organisme rétention {Suffix}", OrganizationKind.Nonprofit, now);
            db.Organizations.Add(organization);
            await db.SaveChangesAsync();
            NeedRequest Request(string title) => new(organization.Id, title, $"Description de {title}", ["loi-25"], "16", DeliveryPreference.Either, "fr",
                BudgetRange.Unknown, Timeline.Flexible, ValuePreferences.None, now);
            var (a, b, c) = (Request("Ancienne demande"), Request("Demande récente"), Request("Demande ouverte"));
            a.Close(now);
            b.Close(now);
            db.NeedRequests.AddRange(a, b, c);
            await db.SaveChangesAsync();
            await db.NeedRequests.Where(r => r.Id == b.Id).ExecuteUpdateAsync(u => u.SetProperty(r => r.UpdatedAt, ahead.AddMonths(-6)));
            foreach (var request in new[] { a, b })
            {
                var conversation = new Conversation(organization.Id, providerId, request.Id, now);
                conversation.Write(ConversationSide.Nonprofit, active, $"Message sur {request.Title}", DeliveryChannel.Members, null, now);
                db.Conversations.Add(conversation);
                db.HumanReviews.Add(new HumanReview(request.Id, active, $"Question sur {request.Title}", now));
            }
            await db.SaveChangesAsync();
            return (a.Id, b.Id, c.Id);
        });

        var (first, exit) = await RunAsync(ahead);
        Assert.That(exit, Is.Zero, first);

        await _factory.WithDbAsync(async db =>
        {
            var emails = await db.OutboxEmails.AsNoTracking().Where(e => new[] { oldEmail, youngEmail, unsentEmail }.Contains(e.Id)).ToDictionaryAsync(e => e.Id);
            Assert.That((emails[oldEmail].TextBody, emails[oldEmail].HtmlBody), Is.EqualTo(("", "")), "sent 31 days before: bodies cleared");
            Assert.That((emails[oldEmail].Subject, emails[oldEmail].To, emails[oldEmail].SentAt), Is.Not.EqualTo(("", "", (DateTimeOffset?)null)),
                "its date, kind and recipient stay");
            Assert.That(emails[youngEmail].TextBody, Is.EqualTo("Texte recent"), "sent 29 days before: kept");
            Assert.That(emails[unsentEmail].TextBody, Is.EqualTo("Texte en-attente"), "never sent: kept");

            var users = await db.Users.AsNoTracking().ToDictionaryAsync(u => u.Id);
            Assert.That(users.ContainsKey(unconfirmedOld), Is.False, "unconfirmed for two years: deleted");
            Assert.That(users.ContainsKey(unconfirmedYoung), Is.True, "unconfirmed for ten days: kept");
            Assert.That(users[inactive].InactivityWarnedAt, Is.Not.Null, "24 months without a sign-in, never warned: warned first, not deleted");
            Assert.That(users[active].InactivityWarnedAt, Is.Null, "signed in a month ago: nothing");
            Assert.That(users.ContainsKey(warnedLongAgo), Is.False, "inactive and warned two months ago: deleted");
            Assert.That(users.ContainsKey(warnedRecently), Is.True, "warned five days ago: still has time to sign in");
            var warning = await db.OutboxEmails.AsNoTracking().SingleAsync(e => e.To == $"inactif-jamais-averti-{Suffix}@exemple.invalid");
            Assert.That(warning.Subject, Is.EqualTo("Your account will be deleted for lack of use"), "in the person's language");
            Assert.That(await db.OutboxEmails.CountAsync(e => e.To == $"actif-{Suffix}@exemple.invalid"), Is.Zero);

            var requests = await db.NeedRequests.AsNoTracking().Where(r => new[] { closedOld, closedYoung, open }.Contains(r.Id)).ToDictionaryAsync(r => r.Id);
            Assert.That((requests[closedOld].Title, requests[closedOld].Description, requests[closedOld].AnonymizedAt is not null),
                Is.EqualTo((RetentionRun.Anonymized, "", true)), "closed two years ago: anonymized");
            Assert.That(requests[closedYoung].Description, Is.EqualTo("Description de Demande récente"), "closed six months ago: kept");
            Assert.That(requests[open].AnonymizedAt, Is.Null);
            var messages = await (from c in db.Conversations
                                  join m in db.ConversationMessages on c.Id equals m.ConversationId
                                  where c.RequestId == closedOld || c.RequestId == closedYoung
                                  select new { c.RequestId, m.Body }).ToListAsync();
            Assert.That(messages.Single(m => m.RequestId == closedOld).Body, Is.EqualTo(RetentionRun.Anonymized));
            Assert.That(messages.Single(m => m.RequestId == closedYoung).Body, Is.EqualTo("Message sur Demande récente"));
            var reviews = await db.HumanReviews.AsNoTracking().Where(r => r.RequestId == closedOld || r.RequestId == closedYoung).ToListAsync();
            Assert.That(reviews.Single(r => r.RequestId == closedOld).Question, Is.Null);
            Assert.That(reviews.Single(r => r.RequestId == closedYoung).Question, Is.EqualTo("Question sur Demande récente"));

            Assert.That(await db.AuditEntries.CountAsync(a => a.Action == AuditAction.AccountDeleted && a.ActorUserId == AccountDeletion.RetentionActor),
                Is.GreaterThanOrEqualTo(2), "each deleted account is audited");
            Assert.That(await db.AuditEntries.CountAsync(a => a.Action == AuditAction.RetentionRun), Is.EqualTo(1), "the run is audited with its counts");
            return 0;
        });

        var before = await SnapshotAsync();
        var (second, again) = await RunAsync(ahead);
        Assert.That(again, Is.Zero, second);
        Assert.That(await SnapshotAsync(), Is.EqualTo(before), "a second run changes nothing");
        Assert.That(second, Does.Contain("email bodies cleared 0").And.Contain("requests anonymized 0").And.Contain("inactive accounts deleted 0"));

        // The admins' job page reports both runs.
        using var admin = await CurationJourneyTests.CuratorAsync(_factory, $"admin-retention-{Suffix}@exemple.invalid", "admin");
        var (response, jobs) = await admin.GetAsync("/fr/admin/taches");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var rows = jobs.QuerySelectorAll("tr").Where(tr => tr.TextContent.Contains("Calendrier de conservation")).ToList();
        Assert.That(rows, Has.Count.GreaterThanOrEqualTo(3), "the schedule and the two runs");
        Assert.That(rows.Any(r => r.TextContent.Contains("demandes anonymisées / requests anonymized 1")), Is.True);
    }

    [Test]
    public async Task Decided_withdrawal_requests_go_and_answered_provider_reviews_are_anonymized_after_the_period()
    {
        // A database of its own: the other tests count this fixture's retention runs.
        await using var factory = await MarketplaceFactory.StartAsync(provider);
        async Task<(string Output, int Exit)> RunAsync(DateTimeOffset at)
        {
            using var output = new StringWriter();
            var exit = await CommandLine.RunAsync(factory.Services, ["jobs", "run", "retention", "--now", at.ToString("O")], output, CancellationToken.None);
            return (output.ToString(), exit);
        }
        var now = DateTimeOffset.UtcNow;
        var providerId = await factory.WithDbAsync(db => db.Providers.OrderBy(p => p.Id).Select(p => p.Id).FirstAsync());
        var marker = $"retrait-{provider}".ToLowerInvariant();
        var (oldRequest, recentRequest, oldReview, recentReview) = await factory.WithDbAsync(async db =>
        {
            var old = new WithdrawalRequest(providerId, "Dominique", $"{marker}-ancien@exemple.invalid", "Ce n'est plus moi.", "fr", now.AddMonths(-14));
            old.Refuse("equipe", "La fiche est exacte.", now.AddMonths(-13));
            var recent = new WithdrawalRequest(providerId, null, $"{marker}-recent@exemple.invalid", "Fermé.", "fr", now.AddMonths(-2));
            recent.Refuse("equipe", "Encore ouvert.", now.AddMonths(-1));
            var oldReview = new ProviderReview(providerId, null, "fournisseur", $"{marker} : pourquoi cette liste ?", now.AddMonths(-14));
            oldReview.Respond("equipe", "Parce que vos catégories correspondent.", now.AddMonths(-13));
            var recentReview = new ProviderReview(providerId, null, "fournisseur", $"{marker} : et celle-ci ?", now.AddMonths(-2));
            recentReview.Respond("equipe", "Votre région.", now.AddMonths(-1));
            db.AddRange(old, recent, oldReview, recentReview);
            await db.SaveChangesAsync();
            return (old.Id, recent.Id, oldReview.Id, recentReview.Id);
        });

        var (_, exit) = await RunAsync(now);
        Assert.That(exit, Is.Zero);
        Assert.That(await factory.WithDbAsync(db => db.WithdrawalRequests.Where(w => w.Id == oldRequest || w.Id == recentRequest).Select(w => w.Id).ToListAsync()),
            Is.EqualTo(new[] { recentRequest }), "a request decided more than the period ago goes (the decision stays in the audit)");
        var reviews = await factory.WithDbAsync(db => db.ProviderReviews.Where(r => r.Id == oldReview || r.Id == recentReview)
            .OrderBy(r => r.Id).Select(r => new { r.Question, r.Answer }).ToListAsync());
        Assert.That(reviews[0].Question, Is.EqualTo(RetentionRun.Anonymized));
        Assert.That(reviews[0].Answer, Is.EqualTo(RetentionRun.Anonymized));
        Assert.That(reviews[1].Question, Does.Contain(marker));
        var (second, _) = await RunAsync(now);
        Assert.That(second, Does.Not.Contain("demandes de retrait supprimées / withdrawal requests deleted 1"));
    }

    [Test]
    public async Task The_old_email_setting_still_sets_the_email_body_period_unless_the_new_one_is_set()
    {
        await using var legacy = new MarketplaceFactory(_factory.Database, settings: new Dictionary<string, string> { ["Email:SentBodyRetentionDays"] = "7" }, ownsDatabase: false);
        Assert.That(legacy.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Marketplace.Web.Infrastructure.RetentionOptions>>().Value.EmailBodyDays,
            Is.EqualTo(7));
        await using var both = new MarketplaceFactory(_factory.Database, ownsDatabase: false, settings: new Dictionary<string, string>
        {
            ["Email:SentBodyRetentionDays"] = "7", ["Retention:EmailBodyDays"] = "45",
        });
        Assert.That(both.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Marketplace.Web.Infrastructure.RetentionOptions>>().Value.EmailBodyDays,
            Is.EqualTo(45));
    }
}
