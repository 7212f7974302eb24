using System.Net;
using System.Text.RegularExpressions;
using AngleSharp.Html.Dom;
using Marketplace.Tests.Support;
using Marketplace.Web.Infrastructure.Cli;
using Marketplace.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Marketplace.Tests.Integration;

/// <summary>
/// The whole path through the real forms (antiforgery tokens included): sign-up, email confirmation, draft, submission,
/// changes requested, resubmission, approval, edit, approval of the edit, archive; search sees each step.
/// </summary>
[TestFixture(DatabaseProvider.Sqlite)]
[TestFixture(DatabaseProvider.Postgres)]
public sealed class CurationJourneyTests(DatabaseProvider provider)
{
    internal const string Password = "une phrase de passe assez longue";
    private MarketplaceFactory _factory = null!;

    [OneTimeSetUp]
    public async Task Start() => _factory = await MarketplaceFactory.StartAsync(provider);

    [OneTimeTearDown]
    public async Task Stop() => await _factory.DisposeAsync();

    /// <summary>Signs up through the form and confirms the address with the link of the email in the outbox.</summary>
    public static async Task<Browsing> SignUpAsync(MarketplaceFactory factory, string email, string organization, string kind, bool confirm = true)
    {
        var browsing = new Browsing(factory);
        var (_, form) = await browsing.GetAsync("/fr/inscription");
        var (created, _) = await browsing.SubmitAsync(form, "form.stacked-form", new Dictionary<string, string>
        {
            ["Kind"] = kind, ["OrganizationName"] = organization, ["DisplayName"] = "Camille", ["Email"] = email,
            ["Password"] = Password, ["Confirmation"] = Password, ["AcceptTerms"] = "true",
        });
        created.IsRedirectTo("/fr/connexion");
        if (confirm)
        {
            var body = await factory.WithDbAsync(db => db.OutboxEmails.Where(e => e.To == email).Select(e => e.TextBody).SingleAsync());
            var link = new Uri(Regex.Match(factory.Reveal(body), @"https?://\S+/fr/compte/confirmer\S+").Value);
            var (confirmed, page) = await browsing.GetAsync(link.PathAndQuery);
            Assert.That(confirmed.StatusCode, Is.EqualTo(HttpStatusCode.OK), page.Body?.TextContent);
        }
        await SignInAsync(browsing, email, Password);
        return browsing;
    }

    public static async Task SignInAsync(Browsing browsing, string email, string password)
    {
        var (_, login) = await browsing.GetAsync("/fr/connexion");
        var (signedIn, page) = await browsing.SubmitAsync(login, "form.stacked-form", new Dictionary<string, string> { ["Email"] = email, ["Password"] = password });
        Assert.That(signedIn.StatusCode, Is.EqualTo(HttpStatusCode.Redirect), page.QuerySelector(".alert")?.TextContent);
    }

    public static async Task<Browsing> CuratorAsync(MarketplaceFactory factory, string email, string role = "curator")
    {
        using var output = new StringWriter();
        Assert.That(await CommandLine.RunAsync(factory.Services, ["users", "add", "--email", email, "--role", role], output, CancellationToken.None), Is.Zero);
        var link = new Uri(output.ToString().Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith("http")));
        var browsing = new Browsing(factory);
        var (_, form) = await browsing.GetAsync(link.PathAndQuery);
        await browsing.SubmitAsync(form, "form.stacked-form", new Dictionary<string, string> { ["Password"] = Password, ["Confirmation"] = Password });
        await SignInAsync(browsing, email, Password);

        // Curators need two-factor authentication: the curation pages send them to set it up first.
        var (first, _) = await browsing.GetAsync("/fr/conservation");
        first.IsRedirectTo("/fr/compte/double-authentification");
        var (_, setup) = await browsing.GetAsync("/fr/compte/double-authentification");
        var key = setup.QuerySelector("#shared-key")!.TextContent;
        var (wrong, wrongPage) = await browsing.SubmitAsync(setup, "form.stacked-form", new Dictionary<string, string> { ["code"] = "000000" });
        Assert.That(wrong.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        var (enabled, codes) = await browsing.SubmitAsync(wrongPage, "form.stacked-form", new Dictionary<string, string> { ["code"] = Totp.Code(key) });
        Assert.That(enabled.StatusCode, Is.EqualTo(HttpStatusCode.OK), codes.QuerySelector(".alert")?.TextContent);
        Assert.That(codes.QuerySelectorAll(".recovery-codes li"), Has.Length.EqualTo(8));
        Keys[email] = key;
        return browsing;
    }

    /// <summary>The authenticator keys of the curators created so far, to sign in again with a code.</summary>
    public static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> Keys = new();

    [Test]
    public async Task A_curator_signs_in_with_password_then_authenticator_code()
    {
        var email = $"deux-facteurs-{provider}@exemple.invalid".ToLowerInvariant();
        using (await CuratorAsync(_factory, email)) { }
        using var browsing = new Browsing(_factory);
        var (_, login) = await browsing.GetAsync("/fr/connexion");
        var (step, _) = await browsing.SubmitAsync(login, "form.stacked-form", new Dictionary<string, string> { ["Email"] = email, ["Password"] = Password });
        step.IsRedirectTo("/fr/connexion/code");
        var (notYet, _) = await browsing.GetAsync("/fr/conservation");
        notYet.IsRedirectTo("/fr/connexion");
        var (_, codePage) = await browsing.GetAsync(step.Headers.Location!.ToString());
        var (bad, badPage) = await browsing.SubmitAsync(codePage, "form.stacked-form", new Dictionary<string, string> { ["code"] = "123456" });
        Assert.That(bad.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        var (signedIn, _) = await browsing.SubmitAsync(badPage, "form.stacked-form", new Dictionary<string, string> { ["code"] = Totp.Code(Keys[email], DateTimeOffset.UtcNow.AddSeconds(30)) }); // the set-up used this step's code
        Assert.That(signedIn.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        var (queue, _) = await browsing.GetAsync("/fr/conservation");
        Assert.That(queue.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    internal static Dictionary<string, string> Listing(string name, string word) => new()
    {
        ["Name"] = name, ["LegalForm"] = "cooperative", ["SocialEconomy"] = "true", ["HeadOfficeRegion"] = "16",
        ["DescriptionFr"] = $"Coopérative de soutien {word} pour les organismes.",
        ["Offerings[0].CategoryKey"] = "soutien-ti", ["Offerings[0].DescriptionFr"] = "Soutien technique à distance.",
        ["Offerings[0].Pricing"] = "tarif-reduit-obnl", ["Offerings[0].Delivery"] = "a-distance",
        ["Offerings[0].Regions"] = "16", ["Offerings[0].Languages"] = "fr",
    };

    internal static async Task<IHtmlDocument> OpenEditorAsync(Browsing provider)
    {
        var (_, dashboard) = await provider.GetAsync("/fr/compte/fiche");
        var link = dashboard.QuerySelector("a.button")?.GetAttribute("href");
        if (link is null)
        {
            var (opened, _) = await provider.SubmitAsync(dashboard, "form.inline-form[action$='/ouvrir']");
            link = opened.Headers.Location!.ToString();
        }
        var (_, editor) = await provider.GetAsync(link);
        return editor;
    }

    internal static async Task<string> ReviewLinkAsync(Browsing curator, string name)
    {
        var (_, queue) = await curator.GetAsync("/fr/conservation");
        var row = queue.QuerySelectorAll(".queue tbody tr").Single(r => r.TextContent.Contains(name));
        return row.QuerySelector("a")!.GetAttribute("href")!;
    }

    internal static async Task DecideAsync(Browsing curator, string name, string decision, string? reason = null)
    {
        var (_, review) = await curator.GetAsync(await ReviewLinkAsync(curator, name));
        var values = new Dictionary<string, string> { ["Decision"] = decision };
        if (reason is not null) values["Reason"] = reason;
        var (done, page) = await curator.SubmitAsync(review, "form.stacked-form", values);
        Assert.That(done.StatusCode, Is.EqualTo(HttpStatusCode.Redirect), page.QuerySelector(".alert")?.TextContent);
    }

    [Test]
    public async Task From_sign_up_to_archive_through_the_forms()
    {
        var suffix = provider.ToString().ToLowerInvariant();
        using var owner = await SignUpAsync(_factory, $"coop-{suffix}@exemple.invalid", "Coop Ocelot", "Provider");
        using var curator = await CuratorAsync(_factory, $"curatrice-{suffix}@exemple.invalid");
        using var anonymous = _factory.CreateClient();

        // Draft, then an incomplete submission is refused with French messages and nothing saved is lost.
        var editor = await OpenEditorAsync(owner);
        var (saved, _) = await owner.SubmitAsync(editor, "form.stacked-form", new Dictionary<string, string> { ["Name"] = "Coop Ocelot", ["save"] = "1" });
        Assert.That(saved.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        editor = await OpenEditorAsync(owner);
        var (refused, refusedPage) = await owner.SubmitAsync(editor, "form.stacked-form", new Dictionary<string, string> { ["submit"] = "1" });
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(refusedPage.QuerySelector(".alert")?.TextContent, Does.Contain("La description en français est obligatoire"));
        Assert.That((refusedPage.QuerySelector("#name") as IHtmlInputElement)?.Value, Is.EqualTo("Coop Ocelot"));

        // Submit, changes requested, resubmit, approve.
        var values = Listing("Coop Ocelot", "ocelotun");
        values["submit"] = "1";
        var (submitted, _) = await owner.SubmitAsync(refusedPage, "form.stacked-form", values);
        submitted.IsRedirectTo("/fr/compte/fiche");
        Assert.That(await anonymous.ExactSlugsAsync("q=ocelotun"), Is.Empty, "the old text no longer matches (only as a close spelling of the name)");
        await DecideAsync(curator, "Coop Ocelot", "RequestChanges", "Précisez la région.");
        var (_, dashboard) = await owner.GetAsync("/fr/compte/fiche");
        Assert.That(dashboard.Body!.TextContent, Does.Contain("Précisez la région."));
        editor = await OpenEditorAsync(owner);
        var (resubmitted, _) = await owner.SubmitAsync(editor, "form.stacked-form", new Dictionary<string, string> { ["submit"] = "1" });
        resubmitted.IsRedirectTo("/fr/compte/fiche");
        await DecideAsync(curator, "Coop Ocelot", "Approve");
        Assert.That(await anonymous.SlugsAsync("q=ocelotun"), Is.EqualTo(new[] { "coop-ocelot" }));
        var (_, publicPage) = await owner.GetAsync("/fr/fournisseurs/coop-ocelot");
        Assert.That(publicPage.QuerySelector("time")?.TextContent, Does.StartWith("vérifié le"));

        // An edit waits for review while the published version stays.
        editor = await OpenEditorAsync(owner);
        var (editSubmitted, _) = await owner.SubmitAsync(editor, "form.stacked-form",
            new Dictionary<string, string> { ["DescriptionFr"] = "Coopérative de soutien oceloteux pour les organismes.", ["submit"] = "1" });
        editSubmitted.IsRedirectTo("/fr/compte/fiche");
        Assert.That(await anonymous.SlugsAsync("q=ocelotun"), Is.EqualTo(new[] { "coop-ocelot" }));
        var (_, review) = await curator.GetAsync(await ReviewLinkAsync(curator, "Coop Ocelot"));
        Assert.That(review.Body!.TextContent, Does.Contain("Champs modifiés : description en français"));
        var history = review.QuerySelectorAll("ul.history li").Select(li => li.TextContent).ToArray();
        Assert.That(history.Any(h => h.Contains("Modifications demandées") && h.Contains($"par curatrice-{suffix}@exemple.invalid") && h.Contains("Précisez la région.")),
            "curators read who decided what, when and why");
        await DecideAsync(curator, "Coop Ocelot", "Approve");
        Assert.That(await anonymous.SlugsAsync("q=oceloteux"), Is.EqualTo(new[] { "coop-ocelot" }));
        Assert.That(await anonymous.ExactSlugsAsync("q=ocelotun"), Is.Empty, "the old text no longer matches (only as a close spelling of the name)");

        // Archive: confirmed on a page that says what it does, then gone at once.
        var (_, last) = await owner.GetAsync("/fr/compte/fiche");
        var (asked, confirmation) = await owner.SubmitAsync(last, "form.inline-form[action$='/archiver']");
        Assert.That(asked.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await anonymous.SlugsAsync("q=oceloteux"), Is.EqualTo(new[] { "coop-ocelot" }), "nothing archived before confirmation");
        var (archived, _) = await owner.SubmitAsync(confirmation, "form.confirm-form");
        archived.IsRedirectTo("/fr/compte/fiche");
        Assert.That(await anonymous.SlugsAsync("q=oceloteux"), Is.Empty);

        var subjects = await _factory.WithDbAsync(db => db.OutboxEmails.Where(e => e.To == $"coop-{suffix}@exemple.invalid")
            .OrderBy(e => e.Id).Select(e => e.Subject).ToListAsync());
        Assert.That(subjects, Is.EqualTo(new[]
        {
            "Confirmez votre adresse courriel",
            "Fiche « Coop Ocelot » reçue pour vérification",
            "Fiche « Coop Ocelot » : modifications demandées",
            "Fiche « Coop Ocelot » reçue pour vérification",
            "Fiche « Coop Ocelot » approuvée et publiée",
            "Fiche « Coop Ocelot » reçue pour vérification",
            "Fiche « Coop Ocelot » approuvée et publiée",
        }));

        // The outbox delivers them: each becomes an .eml file with its Message-ID, and is marked sent.
        var delivered = await _factory.WithScopeAsync(sp => sp.GetRequiredService<Marketplace.Web.Infrastructure.Email.OutboxDelivery>()
            .DeliverDueAsync(1000, CancellationToken.None));
        Assert.That(delivered.Sent, Is.GreaterThanOrEqualTo(7));
        var rows = await _factory.WithDbAsync(db => db.OutboxEmails.Where(e => e.To == $"coop-{suffix}@exemple.invalid").ToListAsync());
        Assert.That(rows.All(e => e.SentAt is not null));
        var files = Directory.GetFiles(Path.Combine(_factory.Database.DataDirectory, "mail"), "*.eml").Select(File.ReadAllText).ToArray();
        Assert.That(rows.All(e => files.Count(f => f.Contains(e.MessageId)) == 1), "one file per email");
    }

    [Test]
    public async Task A_curator_archives_a_stale_listing_with_a_reason_and_the_provider_is_told()
    {
        var suffix = provider.ToString().ToLowerInvariant();
        var ownerEmail = $"castor-{suffix}@exemple.invalid";
        using var owner = await SignUpAsync(_factory, ownerEmail, "Coop Castor", "Provider");
        var editor = await OpenEditorAsync(owner);
        var values = Listing("Coop Castor", "castorun");
        values["submit"] = "1";
        await owner.SubmitAsync(editor, "form.stacked-form", values);
        using var curator = await CuratorAsync(_factory, $"archiviste-{suffix}@exemple.invalid");
        await DecideAsync(curator, "Coop Castor", "Approve");
        var old = DateTimeOffset.UtcNow.AddDays(-400);
        await _factory.WithDbAsync(db => db.Providers.Where(p => p.Slug == "coop-castor").ExecuteUpdateAsync(u => u.SetProperty(p => p.VerifiedAt, old)));

        var (_, list) = await curator.GetAsync("/fr/conservation/a-reverifier");
        var row = list.QuerySelectorAll("table.queue tbody tr").Single(r => r.TextContent.Contains("Coop Castor"));
        row.QuerySelector("form.archive-form")!.Id = "archive-castor";
        var (withoutReason, withoutReasonPage) = await curator.SubmitAsync(list, "#archive-castor", new Dictionary<string, string> { ["reason"] = " " });
        Assert.That(withoutReason.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(withoutReasonPage.QuerySelector(".alert")?.TextContent, Does.Contain("Une raison est obligatoire pour archiver"));
        using var anonymous = _factory.CreateClient();
        Assert.That(await anonymous.SlugsAsync("q=castorun"), Is.EqualTo(new[] { "coop-castor" }), "no reason, no archive");

        var (asked, confirmation) = await curator.SubmitAsync(list, "#archive-castor", new Dictionary<string, string> { ["reason"] = "Organisation dissoute." });
        Assert.That(asked.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(confirmation.Body!.TextContent, Does.Contain("Le fournisseur reçoit un courriel avec votre raison : « Organisation dissoute. »"));
        Assert.That(await anonymous.SlugsAsync("q=castorun"), Is.EqualTo(new[] { "coop-castor" }), "nothing archived before confirmation");
        var (archived, _) = await curator.SubmitAsync(confirmation, "form.confirm-form");
        archived.IsRedirectTo("/fr/conservation/a-reverifier");
        Assert.That(await anonymous.SlugsAsync("q=castorun"), Is.Empty);
        var email = await _factory.WithDbAsync(db => db.OutboxEmails.Where(e => e.To == ownerEmail).OrderByDescending(e => e.Id).FirstAsync());
        Assert.That(email.Subject, Is.EqualTo("Fiche « Coop Castor » archivée"));
        Assert.That(email.TextBody, Does.Contain("Organisation dissoute."));
    }

    [Test]
    public async Task An_owner_invites_a_colleague_who_then_manages_the_same_listing()
    {
        var suffix = provider.ToString().ToLowerInvariant();
        using var owner = await SignUpAsync(_factory, $"puma-{suffix}@exemple.invalid", "Coop Puma", "Provider");
        var draft = await OpenEditorAsync(owner); // the owner's open draft
        var colleagueEmail = $"collegue-puma-{suffix}@exemple.invalid";
        var (_, dashboard) = await owner.GetAsync("/fr/compte/fiche");
        var (invited, _) = await owner.SubmitAsync(dashboard, "form.invite-form", new Dictionary<string, string> { ["name"] = "Sam", ["email"] = colleagueEmail });
        invited.IsRedirectTo("/fr/compte/fiche");

        var body = await _factory.WithDbAsync(db => db.OutboxEmails.Where(e => e.To == colleagueEmail).Select(e => e.TextBody).SingleAsync());
        var link = new Uri(Regex.Match(_factory.Reveal(body), @"https?://\S+/fr/invitation\?t=\S+").Value); // accepting creates the account (ADR 0020)
        using var colleague = new Browsing(_factory);
        var (_, form) = await colleague.GetAsync(link.PathAndQuery);
        await colleague.SubmitAsync(form, "form.stacked-form",
            new Dictionary<string, string> { ["Password"] = Password, ["Confirmation"] = Password, ["AcceptTerms"] = "true" });
        await SignInAsync(colleague, colleagueEmail, Password);
        var (_, shared) = await colleague.GetAsync("/fr/compte/fiche");
        Assert.That(shared.QuerySelector("h1")?.TextContent, Does.Contain("Coop Puma"));
        var editLink = shared.QuerySelector("a.button")?.GetAttribute("href");
        Assert.That(editLink, Is.Not.Null, "the colleague sees the same open draft");
        var (editor, _) = await colleague.GetAsync(editLink!);
        Assert.That(editor.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(draft.QuerySelector("form.stacked-form")?.GetAttribute("action"), Is.EqualTo(editLink));
    }

    [Test]
    public async Task Two_curators_on_the_same_submission_the_second_is_told_and_nothing_is_lost()
    {
        var suffix = provider.ToString().ToLowerInvariant();
        using var owner = await SignUpAsync(_factory, $"loutre-{suffix}@exemple.invalid", "Coop Loutre", "Provider");
        var editor = await OpenEditorAsync(owner);
        var values = Listing("Coop Loutre", "loutreun");
        values["submit"] = "1";
        await owner.SubmitAsync(editor, "form.stacked-form", values);

        using var first = await CuratorAsync(_factory, $"premiere-{suffix}@exemple.invalid");
        using var second = await CuratorAsync(_factory, $"seconde-{suffix}@exemple.invalid");
        var (_, firstView) = await first.GetAsync(await ReviewLinkAsync(first, "Coop Loutre"));
        var (_, secondView) = await second.GetAsync(await ReviewLinkAsync(second, "Coop Loutre"));

        var (approved, _) = await first.SubmitAsync(firstView, "form.stacked-form", new Dictionary<string, string> { ["Decision"] = "Approve" });
        approved.IsRedirectTo("/fr/conservation");
        var (late, latePage) = await second.SubmitAsync(secondView, "form.stacked-form",
            new Dictionary<string, string> { ["Decision"] = "Reject", ["Reason"] = "Hors champ." });
        Assert.That(late.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That(latePage.QuerySelector(".alert")?.TextContent, Does.Contain("déjà été décidée"));
        Assert.That(latePage.Body!.TextContent, Does.Contain("Approuvée"), "the page shows the decision that stands");
        using var anonymous = _factory.CreateClient();
        Assert.That(await anonymous.SlugsAsync("q=loutreun"), Is.EqualTo(new[] { "coop-loutre" }));
    }

    [Test]
    public async Task An_unconfirmed_provider_can_save_but_not_submit()
    {
        var suffix = provider.ToString().ToLowerInvariant();
        using var owner = await SignUpAsync(_factory, $"lynx-{suffix}@exemple.invalid", "Coop Lynx", "Provider", confirm: false);
        var editor = await OpenEditorAsync(owner);
        var values = Listing("Coop Lynx", "lynxun");
        values["submit"] = "1";
        var (refused, page) = await owner.SubmitAsync(editor, "form.stacked-form", values);
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(page.QuerySelector(".alert")?.TextContent, Does.Contain("Confirmez votre adresse courriel"));
    }

    [Test]
    public async Task Sign_up_refuses_without_consent_and_records_each_consent_given()
    {
        using var browsing = new Browsing(_factory);
        var (_, form) = await browsing.GetAsync("/fr/inscription");
        Assert.That(form.QuerySelectorAll("input[type=checkbox][checked]"), Is.Empty, "nothing is ticked in advance");
        var email = $"sans-consentement-{provider}@exemple.invalid".ToLowerInvariant();
        var (refused, page) = await browsing.SubmitAsync(form, "form.stacked-form", new Dictionary<string, string>
        {
            ["Kind"] = "Nonprofit", ["OrganizationName"] = "Maison des jeunes", ["DisplayName"] = "Alex", ["Email"] = email,
            ["Password"] = Password, ["Confirmation"] = Password,
        });
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(page.QuerySelector(".alert")?.TextContent, Does.Contain("accepter les conditions"));
        Assert.That(await _factory.WithDbAsync(db => db.Users.AnyAsync(u => u.Email == email)), Is.False);

        var (created, _) = await browsing.SubmitAsync(page, "form.stacked-form", new Dictionary<string, string>
        {
            ["Kind"] = "Nonprofit", ["OrganizationName"] = "Maison des jeunes", ["DisplayName"] = "Alex", ["Email"] = email,
            ["Password"] = Password, ["Confirmation"] = Password, ["AcceptTerms"] = "true", ["WantsDigest"] = "true",
        });
        created.IsRedirectTo("/fr/connexion");
        var consents = await _factory.WithDbAsync(db => (from c in db.Consents join u in db.Users on c.UserId equals u.Id
                                                         where u.Email == email select c.Purpose.ToString()).ToListAsync());
        // The terms (a contract) and the privacy notice shown (a notice, not a consent) are recorded apart (ADR 0030).
        Assert.That(consents, Is.EquivalentTo(new[] { "Terms", "PrivacyNoticeRead", "WeeklyDigest" }));
    }
}
