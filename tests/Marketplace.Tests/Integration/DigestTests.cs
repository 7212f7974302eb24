using System.Net;
using Marketplace.Tests.Support;
using Marketplace.Web.Domain.Accounts;
using Marketplace.Web.Domain.Matching;
using Marketplace.Web.Features.Digests;
using Marketplace.Web.Features.Matching;
using Marketplace.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Marketplace.Tests.Integration;

/// <summary>
/// Weekly digests sent to the real SMTP server and read back: the right news for each recipient, nothing for someone
/// with nothing new or who did not opt in, never twice for a period, and both ways to stop them.
/// </summary>
public abstract class DigestFixture(DatabaseProvider provider)
{
    protected MarketplaceFactory _factory = null!;
    protected string _domain = "";

    [OneTimeSetUp]
    public async Task Start()
    {
        _factory = await MarketplaceFactory.StartAsync(provider, new Dictionary<string, string>
        {
            ["Email:Transport"] = "Smtp", ["Email:SmtpHost"] = Mailbox.SmtpHost, ["Email:SmtpPort"] = Mailbox.SmtpPort.ToString(),
            ["Marketplace:PublicBaseUrl"] = "https://panier.exemple.invalid",
        });
        _domain = $"digest-{provider.ToString().ToLowerInvariant()}-{Guid.NewGuid():N}"[..30] + ".invalid";
    }

    [OneTimeTearDown]
    public async Task Stop() => await _factory.DisposeAsync();

    protected string Address(string name) => $"{name}@{_domain}";

    protected async Task<Browsing> SignUpAsync(string name, string organization, string kind, bool digest)
    {
        var browsing = await CurationJourneyTests.SignUpAsync(_factory, Address(name), organization, kind);
        if (!digest)
        {
            var (_, settings) = await browsing.GetAsync("/fr/compte/parametres");
            var (saved, _) = await browsing.SubmitAsync(settings, "form.stacked-form", new Dictionary<string, string> { ["digest"] = "false" });
            Assert.That(saved.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        }
        else
        {
            var (_, settings) = await browsing.GetAsync("/fr/compte/parametres");
            var (saved, _) = await browsing.SubmitAsync(settings, "form.stacked-form", new Dictionary<string, string> { ["digest"] = "true" });
            Assert.That(saved.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        }
        return browsing;
    }

    protected async Task<int> RequestAsync(Browsing nonprofit, string title, string category)
    {
        var (_, form) = await nonprofit.GetAsync("/fr/compte/besoins/nouveau");
        var (created, _) = await nonprofit.SubmitAsync(form, "form.stacked-form", new Dictionary<string, string>
        {
            ["Title"] = title, ["Categories"] = category, ["Region"] = "16", ["Delivery"] = "Either", ["Description"] = "Nous voulons être conformes.",
        });
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        return int.Parse(created.Headers.Location!.OriginalString.Split('/').Last());
    }

    protected Task MatchAsync() =>
        _factory.WithScopeAsync(sp => sp.GetRequiredService<MatchingRun>().RunAsync(null, new MatchWeights(), CancellationToken.None));

    protected Task<(DigestRun.Built Built, DigestRun.Delivered Sent)> DigestAsync(string period) =>
        _factory.WithScopeAsync(async sp =>
        {
            var run = sp.GetRequiredService<DigestRun>();
            return (await run.BuildAsync(period, CancellationToken.None), await run.SendAsync(period, waitForLeases: true, CancellationToken.None));
        });

    protected async Task NewProviderAsync(string name, string organization, string slug)
    {
        using var browsing = await CurationJourneyTests.SignUpAsync(_factory, Address(name), organization, "Provider");
        await NeedsJourneyTests.ManagedListingAsync(_factory, organization, slug, "loi-25");
    }
}

/// <summary>Each recipient gets its own news, once per period; nothing for someone with nothing new or who did not opt in.</summary>
[TestFixture(DatabaseProvider.Sqlite)]
[TestFixture(DatabaseProvider.Postgres)]
public sealed class DigestTests(DatabaseProvider provider) : DigestFixture(provider)
{
    [Test]
    public async Task Each_recipient_gets_one_digest_with_its_own_news_and_nothing_when_nothing_is_new()
    {
        using var nonprofit = await SignUpAsync("obnl", "Maison de la famille Saint-Roch", "Nonprofit", digest: true);
        using var quiet = await SignUpAsync("sans-resume", "Centre sans résumé", "Nonprofit", digest: false);
        using var provider = await SignUpAsync("coop", "Coopérative Résumé (test)", "Provider", digest: true);
        using var idle = await SignUpAsync("inactif", "Fournisseur inactif (test)", "Provider", digest: true);
        await NeedsJourneyTests.ManagedListingAsync(_factory, "Coopérative Résumé (test)", "coop-resume-test", "loi-25");
        await NeedsJourneyTests.ManagedListingAsync(_factory, "Fournisseur inactif (test)", "inactif-resume-test", "logiciels");
        var requestId = await RequestAsync(nonprofit, "Se conformer à la Loi 25 — Saint-Roch", "loi-25");
        await RequestAsync(quiet, "Une demande sans résumé", "loi-25");
        await MatchAsync();
        var (_, page) = await nonprofit.GetAsync($"/fr/compte/besoins/{requestId}");
        var (asked, _) = await nonprofit.SubmitAsync(page, "form[action$='/revision']");
        Assert.That(asked.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        using var curator = await CurationJourneyTests.CuratorAsync(_factory, Address("conservation"));
        var (_, settings) = await curator.GetAsync("/fr/compte/parametres");
        await curator.SubmitAsync(settings, "form.stacked-form", new Dictionary<string, string> { ["digest"] = "true" });

        var (built, sent) = await DigestAsync("2026-W47");
        // Ours: the nonprofit, the matched provider and the curator; plus the fictional demonstration accounts of seed-data.
        Assert.That(await _factory.WithDbAsync(db => db.OutboxEmails.CountAsync(e => e.DigestPeriod == "2026-W47" && e.To.EndsWith(_domain))), Is.EqualTo(3));
        Assert.That(await _factory.WithDbAsync(db => db.OutboxEmails.CountAsync(e => e.DigestPeriod == "2026-W47" && e.To.EndsWith(".exemple.invalid"))),
            Is.EqualTo(3), "the seed's demonstration nonprofits and provider get one each");
        Assert.That((sent.Sent, sent.Failed, sent.Pending), Is.EqualTo((built.New, 0, 0)));

        var toNonprofit = Mailbox.For(Address("obnl")).Single();
        Assert.That(toNonprofit.Subject, Does.StartWith("Panier de services : ").And.Match(@"\d+ nouveaux? fournisseurs? pour vos demandes").And.Contain("(semaine du 16 novembre 2026)"));
        Assert.That(toNonprofit.Text, Does.Contain("(semaine du 16 novembre 2026)"), "dates in emails are written out in French");
        Assert.That(toNonprofit.Headers["Content-Type"], Does.StartWith("multipart/alternative"));
        Assert.That(toNonprofit.Text, Does.Contain("Coopérative Résumé (test)").And.Contain("offre Conformité Loi 25").And.Contain("service en français"));
        Assert.That(toNonprofit.Text, Does.Contain($"https://panier.exemple.invalid/fr/compte/besoins/{requestId}"));
        Assert.That(toNonprofit.Html, Does.Contain("<h2").And.Contain("Coopérative Résumé (test)"));
        Assert.That(toNonprofit.Html, Does.Not.Contain("<img"), "no tracking pixel");
        Assert.That(toNonprofit.Text, Does.Contain("personne responsable de la protection des renseignements personnels"));
        var userId = await _factory.WithDbAsync(db => db.Users.Where(u => u.Email == Address("obnl")).Select(u => u.Id).SingleAsync());
        Assert.That(toNonprofit.MessageId, Is.EqualTo(await _factory.WithScopeAsync(sp => Task.FromResult(sp.GetRequiredService<DigestSubscriptions>().MessageId(userId, "2026-W47")))));
        Assert.That(toNonprofit.Headers["List-Unsubscribe"], Does.Match(@"^<https://panier\.exemple\.invalid/fr/desabonnement\?t=[^>]+>$"));
        Assert.That(toNonprofit.Headers["List-Unsubscribe-Post"], Is.EqualTo("List-Unsubscribe=One-Click"));

        var toProvider = Mailbox.For(Address("coop")).Single();
        Assert.That(toProvider.Subject, Does.Match(@"\d+ nouvelles? demandes?"));
        Assert.That(toProvider.Text, Does.Contain("Conformité Loi 25").And.Contain("Montérégie").And.Contain($"/fr/compte/demandes/{requestId}"));
        Assert.That(toProvider.Text + toProvider.Html, Does.Not.Contain("Saint-Roch").And.Not.Contain(Address("obnl")), "anonymized as on the site");

        var toCurator = Mailbox.For(Address("conservation")).Single();
        Assert.That(toCurator.Text, Does.Contain("Révisions par une personne demandées : 1"));

        Assert.That(Mailbox.For(Address("sans-resume")), Is.Empty, "did not opt in");
        Assert.That(Mailbox.For(Address("inactif")), Is.Empty, "nothing new");

        // The same period again: nothing built, nothing sent.
        var (again, againSent) = await DigestAsync("2026-W47");
        Assert.That((again.New, againSent.Sent), Is.EqualTo((0, 0)));
        Assert.That(Mailbox.For(Address("obnl")), Has.Count.EqualTo(1));

        // Next week: nothing new for the nonprofit and the provider; a new provider is news.
        var (next, _) = await DigestAsync("2026-W48");
        Assert.That(Mailbox.For(Address("obnl")), Has.Count.EqualTo(1));
        Assert.That(Mailbox.For(Address("coop")), Has.Count.EqualTo(1));
        await NewProviderAsync("arrivee", "Nouvelle arrivée Loi 25 (test)", "arrivee-loi25-test");
        await MatchAsync();
        await DigestAsync("2026-W49");
        var third = Mailbox.For(Address("obnl")).Single(m => m.Subject.Contains(Mailbox.Week("2026-W49")));
        Assert.That(third.Text, Does.Contain("Nouvelle arrivée Loi 25 (test)").And.Not.Contain("Coopérative Résumé (test)"), "only what is new since the last digest");
        Assert.That(next.New, Is.GreaterThanOrEqualTo(1), "the curator's queue still waits");
    }
}

/// <summary>The stop link and the one-click POST both stop the next digest, without signing in.</summary>
[TestFixture(DatabaseProvider.Sqlite)]
[TestFixture(DatabaseProvider.Postgres)]
public sealed class DigestStopTests(DatabaseProvider provider) : DigestFixture(provider)
{
    /// <summary>Issue 12, defect 9: a forwarded stop link gives no one the power to give the person's consent again.</summary>
    [Test]
    public async Task A_forwarded_stop_link_stops_the_digest_but_only_the_person_signed_in_turns_it_back_on()
    {
        using var person = await SignUpAsync("transfere", "Organisme du lien transféré", "Nonprofit", digest: true);
        var userId = await _factory.WithDbAsync(db => db.Users.Where(u => u.Email == Address("transfere")).Select(u => u.Id).SingleAsync());
        var link = new Uri(await _factory.WithScopeAsync(sp => Task.FromResult(sp.GetRequiredService<DigestSubscriptions>().StopLink(userId, "fr"))));
        Task<int> ActiveConsentsAsync() =>
            _factory.WithDbAsync(db => db.Consents.CountAsync(c => c.UserId == userId && c.Purpose == ConsentPurpose.WeeklyDigest && c.WithdrawnAt == null));

        // Whoever the message was forwarded to: stopping works without signing in (GET asks, POST stops).
        using var stranger = new Browsing(_factory);
        var (_, asking) = await stranger.GetAsync(link.PathAndQuery);
        Assert.That(await ActiveConsentsAsync(), Is.EqualTo(1), "opening the link changes nothing");
        var (_, stopped) = await stranger.SubmitAsync(asking, "form.inline-form[action*='confirmer']");
        Assert.That(await ActiveConsentsAsync(), Is.Zero);
        Assert.That(stopped.QuerySelector("form[action*='reabonner']"), Is.Null, "no undo button for someone not signed in as the person");
        Assert.That(stopped.QuerySelector("a[href*='/fr/connexion?returnUrl=%2Ffr%2Fcompte%2Fparametres']"), Is.Not.Null,
            "the page offers to sign in and come back to the settings");

        // The same stranger posts the undo form anyway (with a valid antiforgery token and the signed link): refused.
        var antiforgery = stopped.QuerySelector("input[name=__RequestVerificationToken]")?.GetAttribute("value")
                          ?? asking.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        var token = System.Web.HttpUtility.ParseQueryString(link.Query)["t"]!;
        var forced = await stranger.Http.PostAsync("/fr/desabonnement/reabonner", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = antiforgery, ["t"] = token,
        }));
        Assert.That(forced.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(await forced.Content.ReadAsStringAsync(), Does.Contain("connectez-vous avec le compte"));
        Assert.That(await ActiveConsentsAsync(), Is.Zero, "no consent is recorded for someone who did not give it");

        // Another signed-in account is not the person either.
        using var other = await SignUpAsync("autre-compte", "Autre organisme", "Nonprofit", digest: false);
        var (_, otherAsking) = await other.GetAsync(link.PathAndQuery);
        var otherForced = await other.Http.PostAsync("/fr/desabonnement/reabonner", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = otherAsking.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!, ["t"] = token,
        }));
        Assert.That(otherForced.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(await ActiveConsentsAsync(), Is.Zero);

        // The person, signed in, may undo from the same page.
        var (_, ownAsking) = await person.GetAsync(link.PathAndQuery);
        var (_, ownStopped) = await person.SubmitAsync(ownAsking, "form.inline-form[action*='confirmer']");
        var (undone, undonePage) = await person.SubmitAsync(ownStopped, "form.inline-form[action*='reabonner']");
        Assert.That(undone.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(undonePage.QuerySelector(".notice")!.TextContent, Does.Contain("de nouveau"));
        Assert.That(await ActiveConsentsAsync(), Is.EqualTo(1));
    }

    [Test]
    public async Task The_stop_link_and_the_one_click_post_both_stop_the_next_digest()
    {
        using var first = await SignUpAsync("lien", "Organisme du lien", "Nonprofit", digest: true);
        using var second = await SignUpAsync("unclic", "Organisme du clic", "Nonprofit", digest: true);
        await RequestAsync(first, "Conformité pour le lien", "loi-25");
        await RequestAsync(second, "Conformité pour le clic", "loi-25");
        await MatchAsync();
        await DigestAsync("2027-W02");
        string Stop(string name) => Mailbox.For(Address(name)).Single(m => m.Subject.Contains(Mailbox.Week("2027-W02"))).Headers["List-Unsubscribe"].Trim('<', '>');

        // The link, without signing in: the page asks; its button records the withdrawal, which can be undone.
        using var anonymous = new Browsing(_factory);
        var link = new Uri(Stop("lien"));
        var (asking, askingPage) = await anonymous.GetAsync(link.PathAndQuery);
        Assert.That(asking.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var (stopped, stoppedPage) = await anonymous.SubmitAsync(askingPage, "form.inline-form[action*='confirmer']");
        Assert.That(stopped.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(stoppedPage.QuerySelector(".notice")!.TextContent, Does.Contain("vous ne recevrez plus le résumé"));
        var firstId = await _factory.WithDbAsync(db => db.Users.Where(u => u.Email == Address("lien")).Select(u => u.Id).SingleAsync());
        Assert.That(await _factory.WithDbAsync(db => db.Consents.SingleAsync(c => c.UserId == firstId && c.Purpose == ConsentPurpose.WeeklyDigest)),
            Has.Property(nameof(Consent.WithdrawnAt)).Not.Null);
        Assert.That(stoppedPage.QuerySelector("form[action*='reabonner']"), Is.Null, "undoing needs the person signed in");
        // The person, signed in, opens the same link: stopping again offers the undo, which gives the consent back.
        var (_, ownAsking) = await first.GetAsync(link.PathAndQuery);
        var (_, ownStopped) = await first.SubmitAsync(ownAsking, "form.inline-form[action*='confirmer']");
        var (undone, _) = await first.SubmitAsync(ownStopped, "form.inline-form[action*='reabonner']");
        Assert.That(undone.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await _factory.WithDbAsync(db => db.Consents.CountAsync(c => c.UserId == firstId && c.Purpose == ConsentPurpose.WeeklyDigest && c.WithdrawnAt == null)), Is.EqualTo(1));
        var (again, againPage) = await anonymous.GetAsync(link.PathAndQuery);
        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var (stoppedAgain, _) = await anonymous.SubmitAsync(againPage, "form.inline-form[action*='confirmer']");
        Assert.That(stoppedAgain.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        // The one-click POST a mail client sends: no cookie, no antiforgery token, only the signed address.
        var raw = _factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { HandleCookies = false, AllowAutoRedirect = false });
        var oneClick = await raw.PostAsync(new Uri(Stop("unclic")).PathAndQuery, new StringContent("List-Unsubscribe=One-Click", System.Text.Encoding.ASCII, "application/x-www-form-urlencoded"));
        Assert.That(oneClick.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        // Something new for both, next week: neither gets a digest.
        await NewProviderAsync("nouveau", "Nouveau fournisseur (test)", "stop-test-provider");
        await MatchAsync();
        await DigestAsync("2027-W03");
        Assert.That(Mailbox.For(Address("lien")).Where(m => m.Subject.Contains(Mailbox.Week("2027-W03"))), Is.Empty);
        Assert.That(Mailbox.For(Address("unclic")).Where(m => m.Subject.Contains(Mailbox.Week("2027-W03"))), Is.Empty);

        // A forged or altered token: a clear 400 in the page's language, nothing changed.
        var (forged, forgedPage) = await anonymous.GetAsync("/fr/desabonnement?t=pas-un-jeton");
        Assert.That(forged.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(forgedPage.QuerySelector(".alert")!.TextContent, Does.Contain("n'est pas valide ou a expiré"));
        var (forgedEn, forgedEnPage) = await anonymous.GetAsync("/en/unsubscribe?t=" + Uri.EscapeDataString(link.Query[3..] + "x"));
        Assert.That(forgedEn.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(forgedEnPage.QuerySelector(".alert")!.TextContent, Does.Contain("not valid or has expired"));
    }

    [Test]
    public async Task Opening_the_stop_link_changes_nothing_until_its_button_is_pressed()
    {
        using var reader = await SignUpAsync("scanneur", "Organisme du scanneur", "Nonprofit", digest: true);
        await RequestAsync(reader, "Conformité pour le scanneur", "loi-25");
        await MatchAsync();
        await DigestAsync("2027-W40");
        var link = new Uri(Mailbox.For(Address("scanneur")).Single(m => m.Subject.Contains(Mailbox.Week("2027-W40"))).Headers["List-Unsubscribe"].Trim('<', '>'));
        var userId = await _factory.WithDbAsync(db => db.Users.Where(u => u.Email == Address("scanneur")).Select(u => u.Id).SingleAsync());
        Task<bool> SubscribedAsync() => _factory.WithDbAsync(db =>
            db.Consents.AnyAsync(c => c.UserId == userId && c.Purpose == ConsentPurpose.WeeklyDigest && c.WithdrawnAt == null));

        // A mail-security scanner opens every link: twice, in both languages, nothing changes.
        using var scanner = new Browsing(_factory);
        var (opened, page) = await scanner.GetAsync(link.PathAndQuery);
        await scanner.GetAsync(link.PathAndQuery.Replace("/fr/desabonnement", "/en/unsubscribe"));
        Assert.That(opened.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await SubscribedAsync(), Is.True, "a GET must not unsubscribe");
        Assert.That(page.QuerySelector("main")!.TextContent, Does.Contain("Rien ne change tant que vous n'avez pas appuyé sur le bouton"));
        var button = page.QuerySelector("form[method=post] button")!;
        Assert.That(button.TextContent, Is.EqualTo("Ne plus recevoir le résumé"));

        // The button without its antiforgery token is refused; with it, the withdrawal is recorded.
        var (forged, _) = await scanner.SubmitAsync(page, "form.inline-form", withToken: false);
        Assert.That((int)forged.StatusCode, Is.EqualTo(400));
        Assert.That(await SubscribedAsync(), Is.True);
        var (stopped, stoppedPage) = await scanner.SubmitAsync(page, "form.inline-form");
        Assert.That(stopped.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await SubscribedAsync(), Is.False);
        Assert.That(stoppedPage.QuerySelector("form.inline-form"), Is.Null, "undoing is for the person, signed in (issue 12)");
        Assert.That(stoppedPage.QuerySelector("main")!.TextContent, Does.Contain("Se connecter pour rétablir le résumé"));
    }
}

/// <summary>User text never reaches a header; the admins see a period and retry its failed rows.</summary>
[TestFixture(DatabaseProvider.Sqlite)]
[TestFixture(DatabaseProvider.Postgres)]
public sealed class DigestAdminTests(DatabaseProvider provider) : DigestFixture(provider)
{
    [Test]
    public async Task A_typed_line_break_never_adds_a_header_and_the_admins_see_and_retry_a_period()
    {
        using var nonprofit = await SignUpAsync("injection", "Organisme\r\nBcc: intrus@exemple.invalid", "Nonprofit", digest: true);
        await RequestAsync(nonprofit, "Loi 25\r\nBcc: intrus@exemple.invalid\r\nSubject: piège", "loi-25");
        await MatchAsync();
        await DigestAsync("2027-W20");
        var message = Mailbox.For(Address("injection")).Single();
        Assert.That(message.Raw, Does.Not.Match("(?m)^(Bcc|Subject: piège)"), "user text stays in the body");
        Assert.That(message.Text, Does.Contain("Loi 25"));

        // An admin sees the period, a failed row with its last error, and retries it.
        var row = await _factory.WithDbAsync(db => db.OutboxEmails.SingleAsync(e => e.To == Address("injection") && e.DigestPeriod == "2027-W20"));
        await _factory.WithDbAsync(db => db.OutboxEmails.Where(e => e.Id == row.Id).ExecuteUpdateAsync(u => u
            .SetProperty(e => e.SentAt, (DateTimeOffset?)null).SetProperty(e => e.Attempts, 8).SetProperty(e => e.LastError, "SmtpException: boîte pleine")));
        using var admin = await CurationJourneyTests.CuratorAsync(_factory, Address("admin"), "admin");
        var (_, page) = await admin.GetAsync("/fr/admin/resumes?period=2027-W20");
        var facts = page.QuerySelector("dl.facts")!.TextContent;
        Assert.That(facts, Does.Contain("En échec1").Or.Contain("En échec 1"));
        Assert.That(page.QuerySelector("table.queue")!.TextContent, Does.Contain(Address("injection")).And.Contain("SmtpException: boîte pleine"));
        var (retried, _) = await admin.SubmitAsync(page, "form[action$='/reessayer']");
        retried.IsRedirectTo("/fr/admin/resumes");
        var (_, sent) = await DigestAsync("2027-W20");
        Assert.That(sent.Sent, Is.EqualTo(1));
        Assert.That(Mailbox.For(Address("injection")), Has.Count.EqualTo(2), "the retried row went out (the test had marked it failed after it was sent)");
        var (_, after) = await admin.GetAsync("/en/admin/digests?period=2027-W20");
        Assert.That(after.QuerySelector("dl.facts")!.TextContent, Does.Contain("Failed0").Or.Contain("Failed 0"));
        var (bad, badPage) = await admin.GetAsync("/en/admin/digests?period=week-20");
        Assert.That(bad.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(badPage.QuerySelector(".alert")!.TextContent, Does.Contain("2026-W47"));
    }
}

/// <summary>A digest shows the best of what is new and says how much more waits on the site, with a link to it all.</summary>
[TestFixture(DatabaseProvider.Sqlite)]
[TestFixture(DatabaseProvider.Postgres)]
public sealed class DigestLimitTests(DatabaseProvider provider) : DigestFixture(provider)
{
    [Test]
    public async Task A_digest_shows_the_best_of_what_is_new_and_counts_the_rest()
    {
        using var nonprofit = await SignUpAsync("obnl-limites", "Centre des limites (test)", "Nonprofit", digest: true);
        using var provider = await SignUpAsync("coop-plafond", "Coopérative Limites (test)", "Provider", digest: true);
        await NeedsJourneyTests.ManagedListingAsync(_factory, "Coopérative Limites (test)", "coop-limites-test", "loi-25");
        var first = await RequestAsync(nonprofit, "Première demande Loi 25", "loi-25");
        var second = await RequestAsync(nonprofit, "Deuxième demande Loi 25", "loi-25");
        await MatchAsync();
        var (firstMatches, secondMatches, best, providerMatches) = await _factory.WithDbAsync(async db =>
        {
            var providerId = await db.Providers.Where(p => p.Slug == "coop-limites-test").Select(p => p.Id).SingleAsync();
            var top = await db.Matches.Where(m => m.RequestId == first).OrderByDescending(m => m.Score).ThenBy(m => m.ProviderId)
                .Select(m => m.ProviderId).FirstAsync();
            return (await db.Matches.CountAsync(m => m.RequestId == first), await db.Matches.CountAsync(m => m.RequestId == second),
                await db.Providers.Where(p => p.Id == top).Select(p => p.Name).SingleAsync(),
                await db.Matches.CountAsync(m => m.ProviderId == providerId && db.NeedRequests.Any(r => r.Id == m.RequestId && r.Status == RequestStatus.Open)));
        });
        Assert.That(new[] { firstMatches, secondMatches, providerMatches }, Is.All.GreaterThanOrEqualTo(2), "the set-up gives more than one of each");

        await _factory.WithScopeAsync(async sp =>
        {
            var run = ActivatorUtilities.CreateInstance<DigestRun>(sp,
                Microsoft.Extensions.Options.Options.Create(new DigestOptions { ProvidersPerRequest = 1, RequestsPerDigest = 1 }));
            await run.BuildAsync("2027-W10", CancellationToken.None);
            await run.SendAsync("2027-W10", waitForLeases: true, CancellationToken.None);
        });

        var toNonprofit = Mailbox.For(Address("obnl-limites")).Single();
        Assert.That(toNonprofit.Subject, Does.Contain($"{firstMatches + secondMatches} nouveaux fournisseurs"), "the subject counts everything new");
        Assert.That(toNonprofit.Text, Does.Contain("« Première demande Loi 25 »").And.Not.Contain("Deuxième demande Loi 25"));
        Assert.That(System.Text.RegularExpressions.Regex.Matches(toNonprofit.Text, "Voir la fiche :"), Has.Count.EqualTo(1));
        Assert.That(toNonprofit.Text, Does.Contain(best), "the best-ranked provider is the one shown");
        Assert.That(toNonprofit.Text, Does.Contain(firstMatches - 1 == 1 ? "Et 1 autre nouveau fournisseur pour cette demande" : $"Et {firstMatches - 1} autres nouveaux fournisseurs pour cette demande"));
        Assert.That(toNonprofit.Text, Does.Contain("1 autre de vos demandes a aussi de nouveaux fournisseurs.")
            .And.Match(@"Voir toutes vos demandes : https://panier\.exemple\.invalid/fr/compte/besoins\r?\n"));
        Assert.That(toNonprofit.Html, Does.Contain("<p>1 autre de vos demandes a aussi de nouveaux fournisseurs.</p>"));

        var toProvider = Mailbox.For(Address("coop-plafond")).Single();
        Assert.That(toProvider.Subject, Does.Contain($"{providerMatches} nouvelles demandes"));
        Assert.That(System.Text.RegularExpressions.Regex.Matches(toProvider.Text, "manifester votre intérêt :"), Has.Count.EqualTo(1));
        Assert.That(toProvider.Text, Does.Contain(providerMatches - 1 == 1 ? "Et 1 autre nouvelle demande correspond à votre offre" : $"Et {providerMatches - 1} autres nouvelles demandes correspondent à votre offre")
            .And.Match(@"Voir toutes les demandes qui correspondent à votre offre : https://panier\.exemple\.invalid/fr/compte/demandes\r?\n"));
    }
}
