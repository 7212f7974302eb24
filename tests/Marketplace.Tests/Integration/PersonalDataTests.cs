using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AngleSharp.Html.Dom;
using Marketplace.Tests.Support;
using Marketplace.Web.Domain.Accounts;
using Marketplace.Web.Domain.Conversations;
using Marketplace.Web.Domain.Listings;
using Marketplace.Web.Domain.Matching;
using Marketplace.Web.Infrastructure.Cli;
using Marketplace.Web.Infrastructure.Data;
using Marketplace.Web.Infrastructure.Email;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Marketplace.Tests.Integration;

/// <summary>
/// Law 25 rights of access and correction (issue 14): « Mes données » (the ZIP holds the person's data and their
/// organization's, nobody else's), its command-line twin, the record of staff views, and « Profil » with an email change
/// confirmed from the new address.
/// </summary>
[TestFixture(DatabaseProvider.Sqlite)]
[TestFixture(DatabaseProvider.Postgres)]
public sealed class PersonalDataTests(DatabaseProvider provider)
{
    private MarketplaceFactory _factory = null!;

    [OneTimeSetUp]
    public async Task Start() => _factory = await MarketplaceFactory.StartAsync(provider);

    [OneTimeTearDown]
    public async Task Stop() => await _factory.DisposeAsync();

    private static string Unique() => Guid.NewGuid().ToString("N")[..10];

    private async Task<(Browsing Browsing, string UserId, int OrganizationId)> PersonAsync(string email, string organization, string displayName)
    {
        var browsing = await CurationJourneyTests.SignUpAsync(_factory, email, organization, "Nonprofit");
        var (userId, organizationId) = await _factory.WithScopeAsync(async sp =>
        {
            var users = sp.GetRequiredService<UserManager<MarketplaceUser>>();
            var user = (await users.FindByEmailAsync(email))!;
            user.DisplayName = displayName;
            await users.UpdateAsync(user);
            return (user.Id, user.OrganizationId!.Value);
        });
        return (browsing, userId, organizationId);
    }

    /// <summary>A second member of an organization, created as an accepted invitation would.</summary>
    private Task<string> MemberAsync(int organizationId, string email, string displayName) => _factory.WithScopeAsync(async sp =>
    {
        var users = sp.GetRequiredService<UserManager<MarketplaceUser>>();
        var user = new MarketplaceUser
        {
            UserName = email, Email = email, EmailConfirmed = true, DisplayName = displayName, OrganizationId = organizationId,
            CreatedAt = DateTimeOffset.UtcNow,
        };
        Assert.That((await users.CreateAsync(user, CurationJourneyTests.Password)).Succeeded);
        return user.Id;
    });

    private Task<int> RequestAsync(int organizationId, string description) => _factory.WithDbAsync(async db =>
    {
        var request = new NeedRequest(organizationId, "Formation Loi 25", description, ["formation"], "06", DeliveryPreference.Either, "fr",
            BudgetRange.FreeOnly, Timeline.WithinThreeMonths, ValuePreferences.None, DateTimeOffset.UtcNow);
        db.NeedRequests.Add(request);
        await db.SaveChangesAsync();
        return request.Id;
    });

    private Task ConversationAsync(int organizationId, int providerId, params (string AuthorId, string Body)[] messages) => _factory.WithDbAsync(async db =>
    {
        var conversation = new Conversation(organizationId, providerId, null, DateTimeOffset.UtcNow);
        foreach (var (author, body) in messages) conversation.Write(ConversationSide.Nonprofit, author, body, DeliveryChannel.Members, null, DateTimeOffset.UtcNow);
        db.Conversations.Add(conversation);
        await db.SaveChangesAsync();
        return 0;
    });

    private Task EmailAsync(string to, string subject, string body) => _factory.WithDbAsync(async db =>
    {
        db.OutboxEmails.Add(new OutboxEmail(to, subject, body, $"<p>{body}</p>", "fr", $"<{Guid.NewGuid():N}@test.invalid>", DateTimeOffset.UtcNow));
        await db.SaveChangesAsync();
        return 0;
    });

    /// <summary>The export page's button, posted with its antiforgery token; the entries of the ZIP as text.</summary>
    internal static async Task<Dictionary<string, string>> DownloadAsync(Browsing browsing, string path = "/fr/compte/donnees")
    {
        var (page, document) = await browsing.GetAsync(path);
        Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var form = (IHtmlFormElement)document.QuerySelector("main form.stacked-form")!;
        var token = ((IHtmlInputElement)form.QuerySelector("input[name=__RequestVerificationToken]")!).Value;
        var response = await browsing.Http.PostAsync(form.GetAttribute("action"),
            new FormUrlEncodedContent([new("__RequestVerificationToken", token)]));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/zip"));
        Assert.That(response.Content.Headers.ContentDisposition?.ToString(), Does.StartWith("attachment"));
        return Entries(await response.Content.ReadAsByteArrayAsync());
    }

    private static Dictionary<string, string> Entries(byte[] zip)
    {
        using var archive = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);
        return archive.Entries.ToDictionary(e => e.FullName, e =>
        {
            using var reader = new StreamReader(e.Open(), Encoding.UTF8);
            return reader.ReadToEnd();
        });
    }

    [Test]
    public async Task The_export_holds_the_persons_and_their_organizations_data_and_nothing_about_anybody_else()
    {
        var s = Unique();
        var (alex, alexId, orgA) = await PersonAsync($"alex-{s}@exemple.invalid", $"Organisme-A-{s}", $"Nom-Alex-{s}");
        var samId = await MemberAsync(orgA, $"sam-{s}@exemple.invalid", $"Nom-Sam-{s}");
        var (bea, _, orgB) = await PersonAsync($"bea-{s}@exemple.invalid", $"Organisme-B-{s}", $"Nom-Bea-{s}");
        bea.Dispose();
        var providerId = await _factory.AddProviderAsync($"fournisseur-{s}", $"Fournisseur {s}", "Une fiche de test.");
        await RequestAsync(orgA, $"Besoin-A-{s}");
        await RequestAsync(orgB, $"Besoin-B-{s}");
        await ConversationAsync(orgA, providerId, (alexId, $"Message-Alex-{s}"), (samId, $"Message-Sam-{s}"));
        await ConversationAsync(orgB, providerId, ("someone", $"Message-Bea-{s}"));
        await EmailAsync($"alex-{s}@exemple.invalid", $"Courriel-Alex-{s}", $"Texte-Alex-{s}");
        await EmailAsync($"sam-{s}@exemple.invalid", $"Courriel-Sam-{s}", $"Texte-Sam-{s}");
        await EmailAsync($"bea-{s}@exemple.invalid", $"Courriel-Bea-{s}", $"Texte-Bea-{s}");

        // The other member's own export is in the log, but not in Alex's.
        var samFile = Path.Combine(Path.GetTempPath(), $"sam-{s}.zip");
        using (var output = new StringWriter())
            Assert.That(await CommandLine.RunAsync(_factory.Services, ["privacy", "export", "--email", $"sam-{s}@exemple.invalid", "--out", samFile], output,
                CancellationToken.None), Is.Zero, output.ToString());
        var samAll = string.Join("\n", Entries(await File.ReadAllBytesAsync(samFile)).Values);
        File.Delete(samFile);
        Assert.That(samAll, Does.Contain($"Nom-Sam-{s}").And.Contain($"Courriel-Sam-{s}").And.Contain($"Besoin-A-{s}").And.Not.Contain($"Nom-Alex-{s}"));

        var entries = await DownloadAsync(alex);
        alex.Dispose();
        var all = string.Join("\n", entries.Values);

        foreach (var section in Marketplace.Web.Features.Privacy.PersonalDataExport.Sections)
            Assert.That(entries.Keys, Does.Contain(section + ".json").And.Contain(section + ".csv"));
        Assert.That(all, Does.Contain($"Nom-Alex-{s}").And.Contain($"alex-{s}@exemple.invalid").And.Contain($"Organisme-A-{s}")
            .And.Contain($"Besoin-A-{s}").And.Contain($"Message-Alex-{s}").And.Contain($"Courriel-Alex-{s}").And.Contain($"Texte-Alex-{s}"));
        // The organization's conversation holds what another member wrote in it: it belongs to the organization.
        Assert.That(all, Does.Contain($"Message-Sam-{s}"));
        foreach (var other in new[] { $"Nom-Sam-{s}", $"sam-{s}@exemple.invalid", $"Courriel-Sam-{s}", $"Texte-Sam-{s}", samId,
                     $"Nom-Bea-{s}", $"bea-{s}@exemple.invalid", $"Organisme-B-{s}", $"Besoin-B-{s}", $"Message-Bea-{s}", $"Courriel-Bea-{s}" })
            Assert.That(all, Does.Not.Contain(other), other);
        var secrets = await _factory.WithDbAsync(db => db.Users.Where(u => u.Id == alexId).Select(u => new { u.PasswordHash, u.SecurityStamp }).SingleAsync());
        Assert.That(all, Does.Not.Contain(secrets.PasswordHash).And.Not.Contain(secrets.SecurityStamp));
        Assert.That(JsonNode.Parse(entries["consentements.json"])!.AsArray().Select(c => (string?)c!["purpose"]),
            Does.Contain("Terms").And.Contain("PrivacyNoticeRead"));

        var audited = await _factory.WithDbAsync(db => db.AuditEntries.Where(a => a.Action == AuditAction.DataExported && a.ActorUserId == alexId)
            .Select(a => a.Reason).ToListAsync());
        Assert.That(audited, Is.EqualTo(new[] { $"user:{alexId}" }));
    }

    [Test]
    public async Task The_command_line_export_holds_the_same_files_as_the_web_export()
    {
        var s = Unique();
        var email = $"cli-{s}@exemple.invalid";
        var (browsing, userId, organizationId) = await PersonAsync(email, $"Organisme-Cli-{s}", $"Nom-Cli-{s}");
        await RequestAsync(organizationId, $"Besoin-Cli-{s}");
        await EmailAsync(email, $"Courriel-Cli-{s}", "Texte « accentué », avec virgule");
        var web = await DownloadAsync(browsing);
        browsing.Dispose();

        var file = Path.Combine(Path.GetTempPath(), $"export-{s}.zip");
        try
        {
            using var output = new StringWriter();
            var code = await CommandLine.RunAsync(_factory.Services, ["privacy", "export", "--email", email, "--out", file], output, CancellationToken.None);
            Assert.That(code, Is.Zero, output.ToString());
            var cli = Entries(await File.ReadAllBytesAsync(file));
            // The same files, and the same content except the log, which now also holds the web export's own line.
            Assert.That(cli.Keys, Is.EquivalentTo(web.Keys));
            foreach (var name in web.Keys.Where(n => !n.StartsWith("journal.", StringComparison.Ordinal)))
                Assert.That(cli[name], Is.EqualTo(web[name]), name);
            static string[] Lines(string csv) => csv.Split("\r\n").Where(l => !l.Contains(",DataExported,")).ToArray();
            Assert.That(Lines(cli["journal.csv"]), Is.EqualTo(Lines(web["journal.csv"])));
            Assert.That(web["courriels.json"], Does.Contain("Texte « accentué », avec virgule"));

            // A second export never overwrites a file.
            using var again = new StringWriter();
            Assert.That(await CommandLine.RunAsync(_factory.Services, ["privacy", "export", "--email", email, "--out", file], again, CancellationToken.None),
                Is.EqualTo(1));
        }
        finally
        {
            File.Delete(file);
        }
        var actors = await _factory.WithDbAsync(db => db.AuditEntries.Where(a => a.Action == AuditAction.DataExported && a.Reason == $"user:{userId}")
            .OrderBy(a => a.Id).Select(a => a.ActorUserId).ToListAsync());
        Assert.That(actors, Is.EqualTo(new[] { userId, "cli" }));
    }

    [Test]
    public async Task Staff_views_of_a_request_and_of_an_account_are_recorded_and_appear_in_the_persons_export()
    {
        var s = Unique();
        var email = $"vue-{s}@exemple.invalid";
        var (person, userId, organizationId) = await PersonAsync(email, $"Organisme-Vu-{s}", $"Nom-Vu-{s}");
        var requestId = await RequestAsync(organizationId, $"Besoin-Vu-{s}");
        var reviewId = await _factory.WithDbAsync(async db =>
        {
            var review = new HumanReview(requestId, userId, $"Question-{s}", DateTimeOffset.UtcNow);
            db.HumanReviews.Add(review);
            await db.SaveChangesAsync();
            return review.Id;
        });

        using var curator = await CurationJourneyTests.CuratorAsync(_factory, $"verif-{s}@exemple.invalid");
        var (shown, page) = await curator.GetAsync($"/fr/conservation/revisions-humaines/{reviewId}");
        Assert.That(shown.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(page.Body!.TextContent, Does.Contain($"Question-{s}"));
        using var admin = await CurationJourneyTests.CuratorAsync(_factory, $"admin-{s}@exemple.invalid", "admin");
        var (listed, accounts) = await admin.GetAsync($"/fr/admin/comptes?q={Uri.EscapeDataString(email)}");
        Assert.That(listed.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(accounts.Body!.TextContent, Does.Contain(email));
        var digestId = await _factory.WithDbAsync(async db =>
        {
            var digest = OutboxEmail.Digest(userId, "2026-W10", email, "Résumé", "texte", "<p>texte</p>", "fr", $"<{Guid.NewGuid():N}@test.invalid>",
                "https://localhost/fr/desabonnement?t=x", DateTimeOffset.UtcNow);
            digest.MarkFailed("550 boîte inconnue", DateTimeOffset.UtcNow);
            db.OutboxEmails.Add(digest);
            await db.SaveChangesAsync();
            return digest.Id;
        });
        var (digests, digestPage) = await admin.GetAsync("/fr/admin/resumes?period=2026-W10");
        Assert.That(digests.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(digestPage.Body!.TextContent, Does.Contain(email));

        var staff = await _factory.WithDbAsync(db => db.Users.Where(u => u.Email == $"verif-{s}@exemple.invalid" || u.Email == $"admin-{s}@exemple.invalid")
            .ToDictionaryAsync(u => u.Email!, u => u.Id));
        var rows = await _factory.WithDbAsync(db => db.StaffAccesses.Where(a => a.SubjectUserId == userId).OrderBy(a => a.Id)
            .Select(a => new { a.StaffUserId, a.Kind, a.RecordId, a.SubjectOrganizationId }).ToListAsync());
        Assert.That(rows, Has.Count.EqualTo(3));
        Assert.That(rows[0].StaffUserId, Is.EqualTo(staff[$"verif-{s}@exemple.invalid"]));
        Assert.That(rows[0].Kind, Is.EqualTo(StaffAccessKind.HumanReview));
        Assert.That(rows[0].RecordId, Is.EqualTo(reviewId.ToString()));
        Assert.That(rows[0].SubjectOrganizationId, Is.EqualTo(organizationId));
        Assert.That(rows[1].StaffUserId, Is.EqualTo(staff[$"admin-{s}@exemple.invalid"]));
        Assert.That(rows[1].Kind, Is.EqualTo(StaffAccessKind.Account));
        Assert.That((rows[2].Kind, rows[2].RecordId), Is.EqualTo((StaffAccessKind.Email, digestId.ToString())));

        var entries = await DownloadAsync(person);
        person.Dispose();
        var accesses = JsonNode.Parse(entries["acces-du-personnel.json"])!.AsArray();
        Assert.That(accesses.Select(a => ((string?)a!["kind"], (string?)a["recordId"], (string?)a["about"])),
            Is.EqualTo(new[] { ("HumanReview", reviewId.ToString(), "vous"), ("Account", userId, "vous"), ("Email", digestId.ToString(), "vous") }));
        // Who looked is recorded, but the export does not name the member of staff.
        var all = string.Join("\n", entries.Values);
        foreach (var (address, id) in staff) Assert.That(all, Does.Not.Contain(address).And.Not.Contain(id));
    }

    [Test]
    public async Task Curators_views_of_a_claim_and_of_a_listing_revision_are_recorded_for_their_author_and_organization()
    {
        var s = Unique();
        var email = $"fiche-{s}@exemple.invalid";
        var browsing = await CurationJourneyTests.SignUpAsync(_factory, email, $"Fournisseur-Org-{s}", "Provider");
        browsing.Dispose();
        var (userId, organizationId) = await _factory.WithDbAsync(db => db.Users.Where(u => u.Email == email)
            .Select(u => new ValueTuple<string, int>(u.Id, u.OrganizationId!.Value)).SingleAsync());
        var providerId = await _factory.AddProviderAsync($"reclamee-{s}", $"Fiche réclamée {s}", "Une fiche de test.");
        var (claimId, revisionId) = await _factory.WithDbAsync(async db =>
        {
            var claim = new ListingClaim(providerId, organizationId, userId, ClaimMethod.Review, $"Preuve-{s}", DateTimeOffset.UtcNow);
            var revision = new ListingRevision(organizationId, null, ListingContent.Empty($"Brouillon {s}"), userId, DateTimeOffset.UtcNow);
            db.ListingClaims.Add(claim);
            db.ListingRevisions.Add(revision);
            await db.SaveChangesAsync();
            return (claim.Id, revision.Id);
        });

        using var curator = await CurationJourneyTests.CuratorAsync(_factory, $"verif-fiche-{s}@exemple.invalid");
        var (claimPage, claimDocument) = await curator.GetAsync($"/fr/conservation/reclamations/{claimId}");
        Assert.That(claimPage.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(claimDocument.Body!.TextContent, Does.Contain(email));
        var (revisionPage, _) = await curator.GetAsync($"/fr/conservation/revisions/{revisionId}");
        Assert.That(revisionPage.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        var rows = await _factory.WithDbAsync(db => db.StaffAccesses.Where(a => a.SubjectUserId == userId).OrderBy(a => a.Id)
            .Select(a => new ValueTuple<StaffAccessKind, string, int?>(a.Kind, a.RecordId, a.SubjectOrganizationId)).ToListAsync());
        Assert.That(rows, Is.EqualTo(new[]
        {
            (StaffAccessKind.ListingClaim, claimId.ToString(), (int?)organizationId),
            (StaffAccessKind.ListingRevision, revisionId.ToString(), (int?)organizationId),
        }));
    }

    [Test]
    public async Task Changing_the_email_sends_a_link_to_the_new_address_and_a_notice_to_the_old_and_changes_it_only_once_followed()
    {
        var s = Unique();
        var old = $"ancienne-{s}@exemple.invalid";
        var fresh = $"nouvelle-{s}@exemple.invalid";
        var (browsing, userId, organizationId) = await PersonAsync(old, $"Organisme-P-{s}", "Camille");
        var (_, form) = await browsing.GetAsync("/fr/compte/profil");

        var (refused, refusedPage) = await browsing.SubmitAsync(form, "main form.stacked-form",
            new Dictionary<string, string> { ["Email"] = "pas-une-adresse", ["DisplayName"] = "" });
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(refusedPage.QuerySelector(".alert, .errors, [role=alert]")?.TextContent,
            Does.Contain("Indiquez une adresse courriel valide.").And.Contain("Indiquez votre nom"));

        var (saved, _) = await browsing.SubmitAsync(form, "main form.stacked-form", new Dictionary<string, string>
        {
            ["Email"] = fresh, ["DisplayName"] = "Camille Corrigée", ["OrganizationName"] = $"Organisme-P-{s} (nom corrigé)", ["Language"] = "en",
        });
        saved.IsRedirectTo("/fr/compte/profil");
        var state = await _factory.WithDbAsync(db => db.Users.Where(u => u.Id == userId).Select(u => new { u.Email, u.UserName, u.DisplayName, u.Language })
            .SingleAsync());
        Assert.That(state, Is.EqualTo(new { Email = (string?)old, UserName = (string?)old, DisplayName = "Camille Corrigée", Language = "en" }));
        Assert.That(await _factory.WithDbAsync(db => db.Organizations.Where(o => o.Id == organizationId).Select(o => o.Name).SingleAsync()),
            Is.EqualTo($"Organisme-P-{s} (nom corrigé)"));

        // Both emails in the person's language (English, chosen in the same form).
        var toNew = await _factory.WithDbAsync(db => db.OutboxEmails.Where(e => e.To == fresh).Select(e => new { e.Subject, e.TextBody }).SingleAsync());
        var toOld = await _factory.WithDbAsync(db => db.OutboxEmails.Where(e => e.To == old).OrderByDescending(e => e.Id)
            .Select(e => new { e.Subject, e.TextBody }).FirstAsync());
        Assert.That(toNew.Subject, Is.EqualTo("Confirm your new email address"));
        Assert.That(toOld.Subject, Is.EqualTo("Address change requested for your account"));
        Assert.That(toOld.TextBody, Does.Contain(fresh).And.Not.Contain("token="));
        var link = new Uri(Regex.Match(_factory.Reveal(toNew.TextBody), @"https?://\S+/en/account/profile/email\S+").Value);

        using (var before = new Browsing(_factory))
        {
            var (_, login) = await before.GetAsync("/fr/connexion");
            var (notYet, _) = await before.SubmitAsync(login, "form.stacked-form",
                new Dictionary<string, string> { ["Email"] = fresh, ["Password"] = CurationJourneyTests.Password });
            Assert.That(notYet.StatusCode, Is.Not.EqualTo(HttpStatusCode.Redirect), "the new address signs in before it is confirmed");
        }

        using var anyone = new Browsing(_factory);
        var (confirmed, _) = await anyone.GetAsync(link.PathAndQuery);
        Assert.That(confirmed.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var (again, _) = await anyone.GetAsync(link.PathAndQuery);
        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), "the link works once");
        state = await _factory.WithDbAsync(db => db.Users.Where(u => u.Id == userId).Select(u => new { u.Email, u.UserName, u.DisplayName, u.Language })
            .SingleAsync());
        Assert.That(state.Email, Is.EqualTo(fresh));
        Assert.That(state.UserName, Is.EqualTo(fresh));

        using var after = new Browsing(_factory);
        await CurationJourneyTests.SignInAsync(after, fresh, CurationJourneyTests.Password);
        var (_, oldLogin) = await after.GetAsync("/fr/connexion");
        using var withOld = new Browsing(_factory);
        var (_, oldForm) = await withOld.GetAsync("/fr/connexion");
        var (oldRefused, _) = await withOld.SubmitAsync(oldForm, "form.stacked-form",
            new Dictionary<string, string> { ["Email"] = old, ["Password"] = CurationJourneyTests.Password });
        Assert.That(oldRefused.StatusCode, Is.Not.EqualTo(HttpStatusCode.Redirect));
        browsing.Dispose();
    }

    [Test]
    public async Task An_address_of_another_account_is_not_taken_and_the_page_answers_the_same()
    {
        var s = Unique();
        var (other, _, _) = await PersonAsync($"prise-{s}@exemple.invalid", $"Organisme-X-{s}", "Dominique");
        other.Dispose();
        var (browsing, userId, _) = await PersonAsync($"moi-{s}@exemple.invalid", $"Organisme-Y-{s}", "Camille");
        var (_, form) = await browsing.GetAsync("/fr/compte/profil");
        var (saved, _) = await browsing.SubmitAsync(form, "main form.stacked-form", new Dictionary<string, string> { ["Email"] = $"prise-{s}@exemple.invalid" });
        saved.IsRedirectTo("/fr/compte/profil");
        Assert.That(await _factory.WithDbAsync(db => db.OutboxEmails.CountAsync(e => e.To == $"prise-{s}@exemple.invalid" && e.Subject.Contains("nouvelle adresse"))),
            Is.Zero);
        Assert.That(await _factory.WithDbAsync(db => db.Users.Where(u => u.Id == userId).Select(u => u.Email).SingleAsync()), Is.EqualTo($"moi-{s}@exemple.invalid"));
        browsing.Dispose();
    }

    [Test]
    public async Task A_heavy_account_is_exported_in_one_stream_and_the_time_is_printed()
    {
        var s = Unique();
        var email = $"lourd-{s}@exemple.invalid";
        var (browsing, userId, organizationId) = await PersonAsync(email, $"Organisme-Lourd-{s}", "Camille");
        var providerId = await _factory.AddProviderAsync($"lourd-{s}", $"Fournisseur lourd {s}", "Une fiche de test.");
        for (var r = 0; r < 20; r++) await RequestAsync(organizationId, $"Besoin {r} " + new string('x', 2000));
        await _factory.WithDbAsync(async db =>
        {
            for (var c = 0; c < 10; c++)
            {
                var conversation = new Conversation(organizationId, providerId, null, DateTimeOffset.UtcNow);
                for (var m = 0; m < 50; m++)
                    conversation.Write(ConversationSide.Nonprofit, userId, $"Message {c}-{m} " + new string('m', 1500), DeliveryChannel.Members, null, DateTimeOffset.UtcNow);
                db.Conversations.Add(conversation);
            }
            for (var e = 0; e < 500; e++)
                db.OutboxEmails.Add(new OutboxEmail(email, $"Courriel {e}", new string('t', 3000), new string('h', 4000), "fr", $"<{Guid.NewGuid():N}@test.invalid>",
                    DateTimeOffset.UtcNow));
            await db.SaveChangesAsync();
            return 0;
        });
        await DownloadAsync(browsing); // warm: the first export compiles its queries
        var clock = Stopwatch.StartNew();
        var entries = await DownloadAsync(browsing);
        clock.Stop();
        browsing.Dispose();
        Assert.That(JsonNode.Parse(entries["messages.json"])!.AsArray(), Has.Count.EqualTo(500));
        Assert.That(JsonNode.Parse(entries["courriels.json"])!.AsArray(), Has.Count.GreaterThanOrEqualTo(500));
        TestContext.Progress.WriteLine($"[benchmark] {provider}: export of 20 requests, 500 messages and 500 emails in {clock.ElapsedMilliseconds} ms");
    }
}
