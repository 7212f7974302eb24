using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Marketplace.Tests.Support;
using Marketplace.Web.Domain.Listings;
using Marketplace.Web.Infrastructure.Cli;
using Marketplace.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Tests.Integration;

/// <summary>
/// Issue 12's account defects (ADR 0020): recovery codes, an admin's 2FA reset, invitations that create nothing, sign-in
/// answers that do not tell accounts apart, progressive delays, single-use authenticator codes, and reset-email limits.
/// </summary>
[TestFixture(DatabaseProvider.Sqlite)]
[TestFixture(DatabaseProvider.Postgres)]
public sealed class AccountAbuseTests(DatabaseProvider provider)
{
    private const string Password = "une phrase de passe assez longue";
    private MarketplaceFactory _factory = null!;

    [OneTimeSetUp]
    public async Task Start() => _factory = await MarketplaceFactory.StartAsync(provider);

    [OneTimeTearDown]
    public async Task Stop() => await _factory.DisposeAsync();

    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}@exemple.invalid";

    /// <summary>A curator with two-factor set up through the pages; returns the key and the recovery codes shown.</summary>
    private async Task<(string Key, string[] RecoveryCodes)> CuratorWithCodesAsync(string email)
    {
        using var output = new StringWriter();
        Assert.That(await CommandLine.RunAsync(_factory.Services, ["users", "add", "--email", email, "--role", "curator"], output, CancellationToken.None), Is.Zero);
        var link = new Uri(output.ToString().Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith("http")));
        using var browsing = new Browsing(_factory);
        var (_, form) = await browsing.GetAsync(link.PathAndQuery);
        await browsing.SubmitAsync(form, "form.stacked-form", new Dictionary<string, string> { ["Password"] = Password, ["Confirmation"] = Password });
        await CurationJourneyTests.SignInAsync(browsing, email, Password);
        var (_, setup) = await browsing.GetAsync("/fr/compte/double-authentification");
        var key = setup.QuerySelector("#shared-key")!.TextContent;
        var (enabled, codes) = await browsing.SubmitAsync(setup, "form.stacked-form", new Dictionary<string, string> { ["code"] = Totp.Code(key) });
        Assert.That(enabled.StatusCode, Is.EqualTo(HttpStatusCode.OK), codes.QuerySelector(".alert")?.TextContent);
        return (key, codes.QuerySelectorAll(".recovery-codes li").Select(li => li.TextContent.Trim()).ToArray());
    }

    /// <summary>Password, then the code page with <paramref name="code"/>: the code page's answer.</summary>
    private async Task<HttpResponseMessage> SignInWithCodeAsync(string email, string code)
    {
        using var browsing = new Browsing(_factory);
        var (_, login) = await browsing.GetAsync("/fr/connexion");
        var (step, _) = await browsing.SubmitAsync(login, "form.stacked-form", new Dictionary<string, string> { ["Email"] = email, ["Password"] = Password });
        step.IsRedirectTo("/fr/connexion/code");
        var (_, codePage) = await browsing.GetAsync(step.Headers.Location!.ToString());
        var (answer, _) = await browsing.SubmitAsync(codePage, "form.stacked-form", new Dictionary<string, string> { ["code"] = code });
        return answer;
    }

    private async Task<(HttpResponseMessage Response, string? Message)> TryPasswordAsync(string email, string password)
    {
        using var browsing = new Browsing(_factory);
        var (_, login) = await browsing.GetAsync("/fr/connexion");
        var (response, page) = await browsing.SubmitAsync(login, "form.stacked-form", new Dictionary<string, string> { ["Email"] = email, ["Password"] = password });
        return (response, page.QuerySelector(".alert")?.TextContent.Trim());
    }

    // ---- 2. Recovery codes and the admin's reset ----

    [Test]
    public async Task A_recovery_code_signs_in_as_shown_with_any_case_or_spaces_and_only_once()
    {
        var email = Unique("recuperation");
        var (_, codes) = await CuratorWithCodesAsync(email);
        Assert.That(codes, Has.Length.EqualTo(8));
        Assert.That(codes[0], Does.Match("^[A-Z0-9]{5}-[A-Z0-9]{5}$"), "shown with a dash");

        var first = await SignInWithCodeAsync(email, codes[0]);
        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.Redirect), "redeemed exactly as shown");
        var again = await SignInWithCodeAsync(email, codes[0]);
        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), "each code works once");

        var typed = " " + codes[1].Replace("-", "").ToLowerInvariant().Insert(3, " ") + " ";
        var loose = await SignInWithCodeAsync(email, typed);
        Assert.That(loose.StatusCode, Is.EqualTo(HttpStatusCode.Redirect), "no dash, lower case and spaces are tolerated");
    }

    [Test]
    public async Task An_admin_resets_someones_two_factor_from_the_accounts_page_audited_and_it_is_asked_again()
    {
        var target = Unique("telephone-perdu");
        await CuratorWithCodesAsync(target);
        var targetId = await _factory.WithDbAsync(db => db.Users.Where(u => u.Email == target).Select(u => u.Id).SingleAsync());
        var adminEmail = Unique("admin");
        using var admin = await CurationJourneyTests.CuratorAsync(_factory, adminEmail, "admin");
        var adminId = await _factory.WithDbAsync(db => db.Users.Where(u => u.Email == adminEmail).Select(u => u.Id).SingleAsync());

        var (_, accounts) = await admin.GetAsync($"/fr/admin/comptes?q={Uri.EscapeDataString(target)}");
        var (reset, _) = await admin.SubmitAsync(accounts, "form[action$='/reinitialiser-2fa']");
        reset.IsRedirectTo("/fr/admin/comptes");
        var (_, after) = await admin.GetAsync(reset.Headers.Location!.ToString());
        Assert.That(after.QuerySelector(".notice")?.TextContent, Does.Contain(target).And.Contain("désactivée"));

        Assert.That(await _factory.WithDbAsync(db => db.Users.Where(u => u.Id == targetId).Select(u => u.TwoFactorEnabled).SingleAsync()), Is.False);
        var audit = await _factory.WithDbAsync(db => db.AuditEntries.Where(a => a.Action == AuditAction.TwoFactorReset && a.Reason == $"user:{targetId}")
            .Select(a => new { a.ActorUserId, a.OrganizationId }).SingleAsync());
        Assert.That(audit.ActorUserId, Is.EqualTo(adminId));
        Assert.That(audit.OrganizationId, Is.Zero, "staff belong to no organization");

        // The password alone signs in now, and the staff pages ask for a new set-up.
        using var person = new Browsing(_factory);
        await CurationJourneyTests.SignInAsync(person, target, Password);
        var (queue, _) = await person.GetAsync("/fr/conservation");
        queue.IsRedirectTo("/fr/compte/double-authentification");
    }

    [Test]
    public async Task The_command_line_resets_someones_two_factor_and_audits_it()
    {
        var target = Unique("cli-2fa");
        await CuratorWithCodesAsync(target);
        using var output = new StringWriter();
        var code = await CommandLine.RunAsync(_factory.Services, ["users", "reset-2fa", "--email", target], output, CancellationToken.None);
        Assert.That(code, Is.Zero, output.ToString());
        Assert.That(await _factory.WithDbAsync(db => db.Users.Where(u => u.Email == target).Select(u => u.TwoFactorEnabled).SingleAsync()), Is.False);
        var targetId = await _factory.WithDbAsync(db => db.Users.Where(u => u.Email == target).Select(u => u.Id).SingleAsync());
        Assert.That(await _factory.WithDbAsync(db => db.AuditEntries.CountAsync(a => a.Action == AuditAction.TwoFactorReset
            && a.Reason == $"user:{targetId}" && a.ActorUserId == "cli")), Is.EqualTo(1));

        using var unknown = new StringWriter();
        Assert.That(await CommandLine.RunAsync(_factory.Services, ["users", "reset-2fa", "--email", Unique("personne")], unknown, CancellationToken.None), Is.EqualTo(1));
    }

    // ---- 8. One authenticator code, one sign-in ----

    [Test]
    public async Task An_authenticator_code_signs_in_once()
    {
        var email = Unique("totp-unique");
        var (key, _) = await CuratorWithCodesAsync(email);
        var code = Totp.Code(key, DateTimeOffset.UtcNow.AddSeconds(30)); // the next step: not the one the set-up used
        var first = await SignInWithCodeAsync(email, code);
        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        var second = await SignInWithCodeAsync(email, code);
        Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), "the same code cannot open a second session");
    }

    // ---- 7. Enumeration and lockout ----

    [Test]
    public async Task Failed_sign_ins_answer_the_same_for_real_and_unknown_addresses_and_slow_down_without_locking()
    {
        var real = Unique("vraie");
        using (await CurationJourneyTests.SignUpAsync(_factory, real, "Organisme réel", "Nonprofit")) { }
        var unknown = Unique("inconnue");

        for (var attempt = 1; attempt <= 4; attempt++)
        {
            var (realAnswer, realMessage) = await TryPasswordAsync(real, "ce n'est pas le bon");
            var (unknownAnswer, unknownMessage) = await TryPasswordAsync(unknown, "ce n'est pas le bon");
            Assert.That(realAnswer.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(unknownAnswer.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(realMessage, Is.EqualTo(unknownMessage).And.Not.Empty, $"attempt {attempt}");
        }
        // After the free failures, even the right password waits (same message); the unknown address says the same.
        var (waiting, waitingMessage) = await TryPasswordAsync(real, Password);
        var (_, unknownWaiting) = await TryPasswordAsync(unknown, Password);
        Assert.That(waiting.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(waitingMessage, Is.EqualTo(unknownWaiting));
        Assert.That(waitingMessage, Does.Not.Contain("bloqué"));

        // A short delay, not a 15-minute lockout: a few seconds later the owner signs in.
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        var (signedIn, message) = await TryPasswordAsync(real, Password);
        Assert.That(signedIn.StatusCode, Is.EqualTo(HttpStatusCode.Redirect), message);
    }

    [Test]
    public async Task An_unknown_address_takes_about_as_long_as_a_real_one_because_a_password_is_hashed_either_way()
    {
        var real = Unique("chrono");
        using (await CurationJourneyTests.SignUpAsync(_factory, real, "Organisme chrono", "Nonprofit")) { }
        await TryPasswordAsync(Unique("echauffement"), "mauvais mot de passe"); // warm-up, both paths share the hasher

        // Three failures per address stay free of delays: one real address, three unknown ones.
        var realTimes = new List<double>();
        var unknownTimes = new List<double>();
        for (var i = 0; i < 3; i++)
        {
            var clock = Stopwatch.StartNew();
            await TryPasswordAsync(real, "mauvais mot de passe");
            realTimes.Add(clock.Elapsed.TotalMilliseconds);
            clock.Restart();
            await TryPasswordAsync(Unique("chrono-inconnue"), "mauvais mot de passe");
            unknownTimes.Add(clock.Elapsed.TotalMilliseconds);
        }
        double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
        var ratio = Median(unknownTimes) / Median(realTimes);
        Assert.That(ratio, Is.GreaterThan(0.3), $"unknown {Median(unknownTimes):F0} ms, real {Median(realTimes):F0} ms");
    }

    [Test]
    public async Task Signing_up_with_an_address_that_has_an_account_answers_like_a_new_one_and_tells_the_owner()
    {
        var email = Unique("deja");
        using (await CurationJourneyTests.SignUpAsync(_factory, email, "Premier organisme", "Nonprofit")) { }
        var organizations = await _factory.WithDbAsync(db => db.Organizations.CountAsync());

        using var browsing = new Browsing(_factory);
        var (_, form) = await browsing.GetAsync("/fr/inscription");
        var (answer, _) = await browsing.SubmitAsync(form, "form.stacked-form", new Dictionary<string, string>
        {
            ["Kind"] = "Provider", ["OrganizationName"] = "Organisme usurpé", ["DisplayName"] = "Intrus", ["Email"] = email,
            ["Password"] = "une autre phrase de passe longue", ["Confirmation"] = "une autre phrase de passe longue", ["AcceptTerms"] = "true",
        });
        answer.IsRedirectTo("/fr/connexion");
        var (_, landing) = await browsing.GetAsync(answer.Headers.Location!.ToString());
        Assert.That(landing.QuerySelector(".notice")?.TextContent, Does.Contain("Un courriel vient d'être envoyé"));

        Assert.That(await _factory.WithDbAsync(db => db.Organizations.CountAsync()), Is.EqualTo(organizations), "nothing created");
        var subjects = await _factory.WithDbAsync(db => db.OutboxEmails.Where(e => e.To == email).Select(e => e.Subject).ToListAsync());
        Assert.That(subjects, Does.Contain("Quelqu'un a tenté de créer un compte avec votre adresse"));
        await CurationJourneyTests.SignInAsync(new Browsing(_factory), email, Password); // the owner's password is unchanged
    }

    // ---- 6. Reset emails ----

    [Test]
    public async Task Password_reset_emails_are_limited_per_address_with_the_same_answer()
    {
        var email = Unique("reinitialisation");
        using (await CurationJourneyTests.SignUpAsync(_factory, email, "Organisme oublieux", "Nonprofit")) { }
        using var browsing = new Browsing(_factory);
        for (var i = 0; i < 5; i++)
        {
            var (_, forgot) = await browsing.GetAsync("/fr/mot-de-passe-oublie");
            var (answer, _) = await browsing.SubmitAsync(forgot, "form.stacked-form", new Dictionary<string, string> { ["email"] = email });
            answer.IsRedirectTo("/fr/connexion");
        }
        var resets = await _factory.WithDbAsync(db => db.OutboxEmails.CountAsync(e => e.To == email && e.Subject == "Choisir un nouveau mot de passe"));
        Assert.That(resets, Is.EqualTo(3));
    }

    // ---- 3. Invitations ----

    private static async Task<HttpResponseMessage> InviteAsync(Browsing member, string email, string name)
    {
        var (_, dashboard) = await member.GetAsync("/fr/compte/fiche");
        var (answer, _) = await member.SubmitAsync(dashboard, "form.invite-form", new Dictionary<string, string> { ["name"] = name, ["email"] = email });
        return answer;
    }

    [Test]
    public async Task An_invitation_creates_nothing_until_accepted_and_answers_the_same_for_an_existing_address()
    {
        using var member = await CurationJourneyTests.SignUpAsync(_factory, Unique("fournisseur"), "Coopérative invitante", "Provider");
        var newcomer = Unique("invitee");
        var existing = Unique("existante");
        using (await CurationJourneyTests.SignUpAsync(_factory, existing, "Autre organisme", "Nonprofit")) { }
        var users = await _factory.WithDbAsync(db => db.Users.CountAsync());

        var toNew = await InviteAsync(member, newcomer, "Alex");
        toNew.IsRedirectTo("/fr/compte/fiche");
        var (_, afterNew) = await member.GetAsync(toNew.Headers.Location!.ToString());
        Assert.That(afterNew.QuerySelector(".notice")?.TextContent, Is.EqualTo($"Invitation envoyée à {newcomer}."));
        var toExisting = await InviteAsync(member, existing, "Alex");
        toExisting.IsRedirectTo("/fr/compte/fiche");
        var (_, afterExisting) = await member.GetAsync(toExisting.Headers.Location!.ToString());
        Assert.That(afterExisting.QuerySelector(".notice")?.TextContent, Is.EqualTo($"Invitation envoyée à {existing}."), "the same answer");
        Assert.That(await _factory.WithDbAsync(db => db.Users.CountAsync()), Is.EqualTo(users), "no account before acceptance");

        var toOwner = await _factory.WithDbAsync(db => db.OutboxEmails.Where(e => e.To == existing && e.Subject.Contains("vous invite")).Select(e => e.TextBody).SingleAsync());
        Assert.That(toOwner, Does.Contain("déjà un compte").And.Not.Contain("/fr/invitation"));

        var body = await _factory.WithDbAsync(db => db.OutboxEmails.Where(e => e.To == newcomer).Select(e => e.TextBody).SingleAsync());
        var link = new Uri(Regex.Match(_factory.Reveal(body), @"https?://\S+/fr/invitation\?t=\S+").Value);
        using var invited = new Browsing(_factory);
        var (_, acceptPage) = await invited.GetAsync(link.PathAndQuery);
        var (accepted, acceptedPage) = await invited.SubmitAsync(acceptPage, "form.stacked-form", new Dictionary<string, string>
        {
            ["DisplayName"] = "Alex Exemple", ["Password"] = Password, ["Confirmation"] = Password, ["AcceptTerms"] = "true",
        });
        Assert.That(accepted.StatusCode, Is.EqualTo(HttpStatusCode.Redirect), acceptedPage.QuerySelector(".alert")?.TextContent);
        var account = await _factory.WithDbAsync(db => db.Users.Where(u => u.Email == newcomer)
            .Select(u => new { u.EmailConfirmed, u.OrganizationId, u.DisplayName }).SingleAsync());
        var memberOrganization = await _factory.WithDbAsync(db => db.Organizations.Where(o => o.Name == "Coopérative invitante").Select(o => o.Id).SingleAsync());
        Assert.That((account.EmailConfirmed, account.OrganizationId, account.DisplayName), Is.EqualTo((true, (int?)memberOrganization, "Alex Exemple")));
        await CurationJourneyTests.SignInAsync(invited, newcomer, Password);

        var (_, usedAgain) = await new Browsing(_factory).GetAsync(link.PathAndQuery);
        Assert.That(usedAgain.QuerySelector("form.stacked-form"), Is.Null, "the link creates one account");

        var (_, tampered) = await new Browsing(_factory).GetAsync(link.PathAndQuery[..^4] + "abcd");
        Assert.That(tampered.QuerySelector(".alert")?.TextContent, Does.Contain("plus valide"));
    }

    [Test]
    public async Task An_invited_address_can_still_sign_up_on_its_own()
    {
        using var member = await CurationJourneyTests.SignUpAsync(_factory, Unique("fournisseur"), "Coopérative qui invite", "Provider");
        var address = Unique("libre");
        (await InviteAsync(member, address, "Nom choisi par autrui")).IsRedirectTo("/fr/compte/fiche");
        // Its own sign-up goes through (the invitation squats nothing); its mailbox holds the invitation too, so no confirmation here.
        using (await CurationJourneyTests.SignUpAsync(_factory, address, "Son propre organisme", "Nonprofit", confirm: false)) { }
        var organization = await _factory.WithDbAsync(db => db.Users.Where(u => u.Email == address)
            .Select(u => db.Organizations.Where(o => o.Id == u.OrganizationId).Select(o => o.Name).Single()).SingleAsync());
        Assert.That(organization, Is.EqualTo("Son propre organisme"));
    }

    [Test]
    public async Task Invitations_are_limited_per_account_and_per_day()
    {
        using var member = await CurationJourneyTests.SignUpAsync(_factory, Unique("fournisseur"), "Coopérative prolifique", "Provider");
        for (var i = 0; i < 10; i++) (await InviteAsync(member, Unique($"invitation-{i}"), "Quelqu'un")).IsRedirectTo("/fr/compte/fiche");
        var eleventh = await InviteAsync(member, Unique("de-trop"), "Quelqu'un");
        Assert.That(eleventh.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(await _factory.WithDbAsync(db => db.OutboxEmails.CountAsync(e => e.To.StartsWith("de-trop-"))), Is.Zero);
    }
}
