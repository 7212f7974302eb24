using System.Net;
using System.Text.RegularExpressions;
using Marketplace.Tests.Support;
using Marketplace.Web.Domain.Accounts;
using Marketplace.Web.Domain.Listings;
using Marketplace.Web.Features.Account;
using Marketplace.Web.Infrastructure.Data;
using Marketplace.Web.Infrastructure.Email;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Marketplace.Tests.Integration;

/// <summary>
/// Issue 14, account deletion (Law 25, s. 23 and 28): a person with a request, messages, a review question, consents, a
/// digest subscription, emails sent and a conversation in which their details were shared with a provider deletes their
/// account; afterwards no text column of any table (read from the database's own catalogue) holds their email address,
/// their name or their organization's name, the organization went with its last member, and the pages that list people
/// still render.
/// </summary>
[TestFixture(DatabaseProvider.Sqlite)]
[TestFixture(DatabaseProvider.Postgres)]
public sealed class AccountDeletionTests(DatabaseProvider provider)
{
    private const string Password = "une phrase de passe assez longue";
    private MarketplaceFactory _factory = null!;
    private string Suffix => provider.ToString().ToLowerInvariant();

    [OneTimeSetUp]
    public async Task Start() => _factory = await MarketplaceFactory.StartAsync(provider);

    [OneTimeTearDown]
    public async Task Stop() => await _factory.DisposeAsync();

    /// <summary>Signs up through the form with a name of its own (the shared helper names everyone « Camille »).</summary>
    private async Task<Browsing> SignUpAsync(string email, string displayName, string organization, string kind)
    {
        var browsing = new Browsing(_factory);
        var (_, form) = await browsing.GetAsync("/fr/inscription");
        var (created, _) = await browsing.SubmitAsync(form, "form.stacked-form", new Dictionary<string, string>
        {
            ["Kind"] = kind, ["OrganizationName"] = organization, ["DisplayName"] = displayName, ["Email"] = email,
            ["Password"] = Password, ["Confirmation"] = Password, ["AcceptTerms"] = "true",
        });
        created.IsRedirectTo("/fr/connexion");
        var body = await _factory.WithDbAsync(db => db.OutboxEmails.Where(e => e.To == email).Select(e => e.TextBody).SingleAsync());
        var link = new Uri(Regex.Match(_factory.Reveal(body), @"https?://\S+/fr/compte/confirmer\S+").Value);
        var (confirmed, _) = await browsing.GetAsync(link.PathAndQuery);
        Assert.That(confirmed.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        await CurationJourneyTests.SignInAsync(browsing, email, Password);
        return browsing;
    }

    private Task DeliverOutboxAsync() =>
        _factory.WithScopeAsync(sp => sp.GetRequiredService<OutboxDelivery>().DeliverDueAsync(1000, CancellationToken.None));

    /// <summary>Every (table.column) whose text contains <paramref name="value"/>, whatever its case, in the whole database.</summary>
    private async Task<List<string>> WhereFoundAsync(string value)
    {
        var found = new List<string>();
        foreach (var (table, column) in await _factory.TextColumnsAsync())
        {
            var count = await _factory.WithDbAsync(async db =>
            {
                var connection = db.Database.GetDbConnection();
                if (connection.State != System.Data.ConnectionState.Open) await connection.OpenAsync();
                await using var command = connection.CreateCommand();
                command.CommandText = $"SELECT COUNT(*) FROM \"{table}\" WHERE lower(CAST(\"{column}\" AS TEXT)) LIKE @p";
                var parameter = command.CreateParameter();
                parameter.ParameterName = "@p";
                parameter.Value = "%" + value.ToLowerInvariant() + "%";
                command.Parameters.Add(parameter);
                return Convert.ToInt64(await command.ExecuteScalarAsync());
            });
            if (count > 0) found.Add($"{table}.{column} ({count})");
        }
        return found;
    }

    [Test]
    public async Task Deleting_an_account_leaves_no_copy_of_its_email_or_name_in_any_table_and_the_pages_still_render()
    {
        var email = $"zephirine.delete-{Suffix}@exemple.invalid";
        var name = $"Zéphirine Quatrevents {Suffix}";
        var organization = $"Entraide Bout-du-Rang {Suffix}";
        var (providerBrowsing, providerId) = await NeedsJourneyTests.ProviderWithListingAsync(_factory, $"coop-delete-{Suffix}@exemple.invalid",
            $"coop-suppression-{Suffix}", $"Coopérative Suppression {Suffix}", "loi-25");
        using var _p = providerBrowsing;
        using var person = await SignUpAsync(email, name, organization, "Nonprofit");
        var userId = await _factory.WithDbAsync(db => db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync());

        // A request whose text carries their own name and address, as people write.
        var (_, form) = await person.GetAsync("/fr/compte/besoins/nouveau");
        var (created, _) = await person.SubmitAsync(form, "form.stacked-form", new Dictionary<string, string>
        {
            ["Title"] = "Politique de confidentialité", ["Description"] = $"Écrire à {name} ({email}).", ["Categories"] = "loi-25",
            ["Region"] = "16", ["Delivery"] = "Either", ["Budget"] = "Under1000", ["Timeline"] = "WithinThreeMonths",
        });
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        var requestUrl = created.Headers.Location!.OriginalString;
        var requestId = int.Parse(requestUrl.Split('/').Last());

        // A human review question, the weekly digest, a conversation with the details shared, the provider's answer.
        var (_, requestPage) = await person.GetAsync(requestUrl);
        var (asked, _) = await person.SubmitAsync(requestPage, "form[action$='/revision']",
            new Dictionary<string, string> { ["question"] = $"Ici {name} : y a-t-il d'autres fournisseurs?" });
        Assert.That(asked.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        var (_, settings) = await person.GetAsync("/fr/compte/parametres");
        await person.SubmitAsync(settings, "form.stacked-form", new Dictionary<string, string> { ["digest"] = "true" });
        var (_, write) = await person.GetAsync($"/fr/fournisseurs/coop-suppression-{Suffix}/ecrire?requestId={requestId}");
        var (wrote, _) = await person.SubmitAsync(write, "form.stacked-form", new Dictionary<string, string>
        {
            ["message"] = $"Bonjour, c'est {name}. Joignez-moi à {email}.", ["share"] = "true", ["requestId"] = requestId.ToString(),
        });
        Assert.That(wrote.StatusCode, Is.EqualTo(HttpStatusCode.Redirect), "the nonprofit writes to the provider");
        var conversationId = await _factory.WithDbAsync(db => db.Conversations.Where(c => c.ProviderId == providerId).Select(c => c.Id).SingleAsync());
        var (_, thread) = await providerBrowsing.GetAsync($"/fr/compte/messages/{conversationId}");
        Assert.That(thread.QuerySelector("main")!.TextContent, Does.Contain(email), "the provider was given the details");
        var (answered, _) = await providerBrowsing.SubmitAsync(thread, $"form[action='/fr/compte/messages/{conversationId}']",
            new Dictionary<string, string> { ["message"] = $"Merci {name}, nous vous écrivons." });
        Assert.That(answered.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        await _factory.WithDbAsync(db =>
        {
            db.AuditEntries.Add(new AuditEntry(0, null, null, userId, AuditAction.InvitationSent, null, DateTimeOffset.UtcNow));
            return db.SaveChangesAsync();
        });
        await DeliverOutboxAsync();
        Assert.That(await WhereFoundAsync(email), Has.Count.GreaterThan(3), "the seed put the address in many places");
        Assert.That(await WhereFoundAsync(name), Is.Not.Empty);
        Assert.That(await _factory.WithDbAsync(db => db.Consents.CountAsync(c => c.UserId == userId)), Is.GreaterThanOrEqualTo(2));

        // The page says what goes and what stays; a wrong password deletes nothing (400, clear French).
        var (_, page) = await person.GetAsync("/fr/compte/supprimer");
        var text = page.QuerySelector("main")!.TextContent;
        Assert.That(text, Does.Contain("Ce qui est supprimé").And.Contain("Ce qui est gardé").And.Contain(organization).And.Contain("« supprimé »"));
        var (wrong, wrongPage) = await person.SubmitAsync(page, "form.stacked-form", new Dictionary<string, string> { ["password"] = "pas le bon mot de passe" });
        Assert.That(wrong.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(wrongPage.QuerySelector(".alert")!.TextContent, Does.Contain("Rien n'a été supprimé"));
        Assert.That(await _factory.WithDbAsync(db => db.Users.AnyAsync(u => u.Id == userId)), Is.True);

        var (deleted, _) = await person.SubmitAsync(wrongPage, "form.stacked-form", new Dictionary<string, string> { ["password"] = Password });
        deleted.IsRedirectTo("/fr/compte/supprime");
        var (afterwards, _) = await person.GetAsync("/fr/compte/besoins");
        Assert.That(afterwards.StatusCode, Is.EqualTo(HttpStatusCode.Redirect), "the session ended with the account");

        Assert.That(await WhereFoundAsync(email), Is.Empty, "no copy of the email address anywhere");
        Assert.That(await WhereFoundAsync(name), Is.Empty, "no copy of the name anywhere");
        Assert.That(await WhereFoundAsync(organization), Is.Empty, "the organization went with its last member");
        Assert.That(await WhereFoundAsync(userId), Is.Empty, "nothing points to the account any more");
        await _factory.WithDbAsync(async db =>
        {
            Assert.That(await db.Organizations.AnyAsync(o => o.Name == organization), Is.False);
            Assert.That(await db.NeedRequests.AnyAsync(r => r.Id == requestId), Is.False);
            Assert.That(await db.Conversations.AnyAsync(c => c.Id == conversationId), Is.False);
            Assert.That(await db.AuditEntries.CountAsync(a => a.ActorUserId == AccountDeletion.DeletedActor && a.Action == AuditAction.InvitationSent),
                Is.GreaterThanOrEqualTo(1), "the audit keeps its entries, with an anonymous actor");
            Assert.That(await db.AuditEntries.AnyAsync(a => a.Action == AuditAction.AccountDeleted && a.ActorUserId == AccountDeletion.DeletedActor),
                Is.True);
            Assert.That(await db.OutboxEmails.AnyAsync(e => e.SentAt != null && e.To == ""), Is.True, "sent emails keep their date and status");
            return 0;
        });

        // The provider's pages, the curators' queue and the admin pages render with the person gone.
        foreach (var url in new[] { "/fr/compte/messages", "/fr/compte/demandes", "/en/account/messages" })
        {
            var (response, _) = await providerBrowsing.GetAsync(url);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), url);
        }
        using var admin = await CurationJourneyTests.CuratorAsync(_factory, $"admin-delete-{Suffix}@exemple.invalid", "admin");
        foreach (var url in new[] { "/fr/conservation", "/fr/admin/comptes", "/fr/admin/taches", "/fr/admin/resumes", "/en/admin/accounts" })
        {
            var (response, _) = await admin.GetAsync(url);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), url);
        }
    }

    [Test]
    public async Task A_provider_organization_goes_with_its_last_member_and_its_public_listing_stays_unmanaged()
    {
        var email = $"fournisseur-delete-{Suffix}@exemple.invalid";
        var (browsing, providerId) = await NeedsJourneyTests.ProviderWithListingAsync(_factory, email, $"fiche-orpheline-{Suffix}",
            $"Atelier Orphelin {Suffix}", "formation");
        using var _b = browsing;
        var organizationId = await _factory.WithDbAsync(db => db.Organizations.Where(o => o.ProviderId == providerId).Select(o => o.Id).SingleAsync());
        var (_, page) = await browsing.GetAsync("/en/account/delete");
        Assert.That(page.QuerySelector("main")!.TextContent, Does.Contain("public listing stays online"));
        var (deleted, _) = await browsing.SubmitAsync(page, "form.stacked-form", new Dictionary<string, string> { ["password"] = Password });
        deleted.IsRedirectTo("/en/account/deleted");

        Assert.That(await _factory.WithDbAsync(db => db.Organizations.AnyAsync(o => o.Id == organizationId)), Is.False);
        using var visitor = new Browsing(_factory);
        var (listing, _) = await visitor.GetAsync($"/fr/fournisseurs/fiche-orpheline-{Suffix}");
        Assert.That(listing.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the public listing stays");
        using var other = await CurationJourneyTests.SignUpAsync(_factory, $"repreneur-{Suffix}@exemple.invalid", $"Repreneur {Suffix}", "Provider");
        var (claim, _) = await other.GetAsync($"/fr/fournisseurs/fiche-orpheline-{Suffix}/reclamer");
        Assert.That(claim.StatusCode, Is.EqualTo(HttpStatusCode.OK), "managed by nobody, it can be claimed");
    }

    [Test]
    public async Task Two_people_notified_of_the_same_incident_can_both_delete_their_account_and_the_notices_stay_without_them()
    {
        // One notice per incident and account is a unique key: the deleted people must not collide on one placeholder.
        var ids = new List<string>();
        foreach (var n in new[] { 1, 2 })
        {
            var email = $"avise-{n}-{Suffix}@exemple.invalid";
            using (await CurationJourneyTests.SignUpAsync(_factory, email, $"Organisme avisé {n} {Suffix}", "Nonprofit")) { }
            ids.Add(await _factory.WithDbAsync(db => db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync()));
        }
        var incidentId = await _factory.WithDbAsync(async db =>
        {
            var now = DateTimeOffset.UtcNow;
            var incident = new Marketplace.Web.Domain.Privacy.PrivacyIncident(new(new DateOnly(2026, 11, 30), null, new DateOnly(2026, 12, 1),
                "Un courriel envoyé au mauvais destinataire.", "Nom et courriel", 2, false, null, null, null,
                Marketplace.Web.Domain.Privacy.SeriousInjuryRisk.No, null, null, null), "admin-test", now);
            db.PrivacyIncidents.Add(incident);
            await db.SaveChangesAsync();
            foreach (var id in ids) db.IncidentNotices.Add(new Marketplace.Web.Domain.Privacy.IncidentNotice(incident.Id, id, "fr", now));
            await db.SaveChangesAsync();
            return incident.Id;
        });

        foreach (var id in ids)
        {
            var outcome = await _factory.WithScopeAsync(sp => sp.GetRequiredService<AccountDeletion>().HandleAsync(id, id, null, CancellationToken.None));
            Assert.That(outcome, Is.Not.Null);
        }
        var notices = await _factory.WithDbAsync(db => db.IncidentNotices.Where(n => n.IncidentId == incidentId).Select(n => n.UserId).ToListAsync());
        Assert.That(notices, Has.Count.EqualTo(2), "the register keeps that notice was given");
        Assert.That(notices.Intersect(ids), Is.Empty);
    }

    [Test]
    public async Task The_verification_team_deletes_a_persons_account_on_request_but_not_a_staff_account()
    {
        var email = $"demande-equipe-{Suffix}@exemple.invalid";
        using (await CurationJourneyTests.SignUpAsync(_factory, email, $"Organisme demande équipe {Suffix}", "Nonprofit")) { }
        var userId = await _factory.WithDbAsync(db => db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync());
        using var curator = await CurationJourneyTests.CuratorAsync(_factory, $"equipe-suppression-{Suffix}@exemple.invalid");
        var curatorId = await _factory.WithDbAsync(db => db.Users.Where(u => u.Email == $"equipe-suppression-{Suffix}@exemple.invalid").Select(u => u.Id).SingleAsync());

        var (_, queue) = await curator.GetAsync("/fr/conservation");
        Assert.That(queue.QuerySelectorAll("a").Select(a => a.GetAttribute("href")), Does.Contain("/fr/conservation/suppression-de-compte"));
        var (_, find) = await curator.GetAsync("/fr/conservation/suppression-de-compte");
        var (unknown, again) = await curator.SubmitAsync(find, "form.stacked-form", new Dictionary<string, string> { ["email"] = $"personne-{Suffix}@exemple.invalid" });
        Assert.That(unknown.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(again.QuerySelector(".alert")!.TextContent, Does.Contain("Aucun compte n'a cette adresse"));
        var (found, _) = await curator.SubmitAsync(again, "form.stacked-form", new Dictionary<string, string> { ["email"] = email });
        found.IsRedirectTo($"/fr/admin/comptes/{userId}/supprimer");
        var (shown, confirm) = await curator.GetAsync($"/fr/admin/comptes/{userId}/supprimer");
        Assert.That(shown.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await _factory.WithDbAsync(db => db.StaffAccesses.CountAsync(a => a.SubjectUserId == userId && a.StaffUserId == curatorId)), Is.GreaterThan(0),
            "seeing the person's identity is a recorded access");
        var (done, _) = await curator.SubmitAsync(confirm, "form.stacked-form", new Dictionary<string, string> { ["reason"] = "Lettre du 2026-12-02" });
        done.IsRedirectTo("/fr/conservation/suppression-de-compte");
        Assert.That(await _factory.WithDbAsync(db => db.Users.AnyAsync(u => u.Id == userId)), Is.False);
        var entry = await _factory.WithDbAsync(db => db.AuditEntries.AsNoTracking().OrderByDescending(a => a.Id).FirstAsync(a => a.Action == AuditAction.AccountDeleted));
        Assert.That((entry.Reason, entry.ActorUserId), Is.EqualTo(("Lettre du 2026-12-02", curatorId)));

        // Another curator's account: only an admin may delete it; the page says so and offers no form.
        using (await CurationJourneyTests.CuratorAsync(_factory, $"autre-equipe-{Suffix}@exemple.invalid")) { }
        var otherId = await _factory.WithDbAsync(db => db.Users.Where(u => u.Email == $"autre-equipe-{Suffix}@exemple.invalid").Select(u => u.Id).SingleAsync());
        var (refused, page) = await curator.GetAsync($"/fr/admin/comptes/{otherId}/supprimer");
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(page.QuerySelector("form.stacked-form"), Is.Null);
        Assert.That(page.QuerySelector(".alert")!.TextContent, Does.Contain("Seule une administratrice ou un administrateur"));

        // A nonprofit gets nothing from the team's page.
        using var nonprofit = await CurationJourneyTests.SignUpAsync(_factory, $"curieux-{Suffix}@exemple.invalid", $"Organisme curieux {Suffix}", "Nonprofit");
        Assert.That((await nonprofit.GetAsync("/fr/conservation/suppression-de-compte")).Response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await nonprofit.GetAsync($"/fr/admin/comptes/{otherId}/supprimer")).Response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task An_admin_deletes_an_account_on_request_with_a_reason_kept_in_the_audit()
    {
        var email = $"demande-suppression-{Suffix}@exemple.invalid";
        using (await CurationJourneyTests.SignUpAsync(_factory, email, $"Organisme à supprimer {Suffix}", "Nonprofit")) { }
        var userId = await _factory.WithDbAsync(db => db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync());
        using var admin = await CurationJourneyTests.CuratorAsync(_factory, $"admin-demande-{Suffix}@exemple.invalid", "admin");
        var (_, accounts) = await admin.GetAsync($"/fr/admin/comptes?q={email}");
        var link = accounts.QuerySelectorAll("a").Single(a => a.TextContent == "Supprimer le compte").GetAttribute("href")!;
        var (_, confirm) = await admin.GetAsync(link);
        var (noReason, again) = await admin.SubmitAsync(confirm, "form.stacked-form", new Dictionary<string, string> { ["reason"] = " " });
        Assert.That(noReason.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(again.QuerySelector(".alert")!.TextContent, Does.Contain("référence de la demande"));
        Assert.That(await _factory.WithDbAsync(db => db.Users.AnyAsync(u => u.Id == userId)), Is.True);

        var (done, _) = await admin.SubmitAsync(again, "form.stacked-form", new Dictionary<string, string> { ["reason"] = "Courriel du 2026-12-01, dossier 14" });
        done.IsRedirectTo("/fr/admin/comptes");
        Assert.That(await _factory.WithDbAsync(db => db.Users.AnyAsync(u => u.Id == userId)), Is.False);
        var entry = await _factory.WithDbAsync(db => db.AuditEntries.AsNoTracking().OrderByDescending(a => a.Id).FirstAsync(a => a.Action == AuditAction.AccountDeleted));
        Assert.That(entry.Reason, Is.EqualTo("Courriel du 2026-12-01, dossier 14"));
        Assert.That(entry.ActorUserId, Is.Not.EqualTo(AccountDeletion.DeletedActor).And.Not.EqualTo(userId), "the admin who did it");
        var (list, _) = await admin.GetAsync("/fr/admin/comptes");
        Assert.That(list.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task When_a_colleague_stays_the_organization_keeps_its_request_and_messages_without_the_persons_identity()
    {
        var email = $"partant-{Suffix}@exemple.invalid";
        var name = $"Hermenegilde Partante {Suffix}";
        var organization = $"Comptoir Solidaire {Suffix}";
        var (providerBrowsing, providerId) = await NeedsJourneyTests.ProviderWithListingAsync(_factory, $"coop-reste-{Suffix}@exemple.invalid",
            $"coop-reste-{Suffix}", $"Coopérative Reste {Suffix}", "loi-25");
        using var _p = providerBrowsing;
        using var person = await SignUpAsync(email, name, organization, "Nonprofit");
        var (userId, organizationId, lastSeen) = await _factory.WithDbAsync(db => db.Users.Where(u => u.Email == email)
            .Select(u => new Tuple<string, int, DateTimeOffset?>(u.Id, u.OrganizationId!.Value, u.LastSeenAt)).SingleAsync()
            .ContinueWith(t => (t.Result.Item1, t.Result.Item2, t.Result.Item3)));
        Assert.That(lastSeen, Is.Not.Null, "signing in records the last activity the retention job counts from");
        var colleagueEmail = $"collegue-{Suffix}@exemple.invalid";
        await _factory.WithScopeAsync(async sp =>
        {
            var colleague = new MarketplaceUser
            {
                UserName = colleagueEmail, Email = colleagueEmail, DisplayName = "Collègue", EmailConfirmed = true, OrganizationId = organizationId,
                CreatedAt = DateTimeOffset.UtcNow,
            };
            var users = sp.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<MarketplaceUser>>();
            Assert.That((await users.CreateAsync(colleague, Password)).Succeeded);
            await users.AddToRoleAsync(colleague, Roles.Nonprofit);
        });

        var (_, form) = await person.GetAsync("/fr/compte/besoins/nouveau");
        var (created, _) = await person.SubmitAsync(form, "form.stacked-form", new Dictionary<string, string>
        {
            ["Title"] = "Registre des incidents", ["Description"] = $"Demande de {name}.", ["Categories"] = "loi-25",
            ["Region"] = "16", ["Delivery"] = "Either", ["Budget"] = "Under1000", ["Timeline"] = "WithinThreeMonths",
        });
        var requestId = int.Parse(created.Headers.Location!.OriginalString.Split('/').Last());
        var (_, write) = await person.GetAsync($"/fr/fournisseurs/coop-reste-{Suffix}/ecrire?requestId={requestId}");
        var (wrote, _) = await person.SubmitAsync(write, "form.stacked-form", new Dictionary<string, string>
        {
            ["message"] = $"Signé {name}, {email}.", ["share"] = "true", ["requestId"] = requestId.ToString(),
        });
        Assert.That(wrote.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        var conversationId = await _factory.WithDbAsync(db => db.Conversations.Where(c => c.ProviderId == providerId).Select(c => c.Id).SingleAsync());
        await DeliverOutboxAsync();

        var (_, page) = await person.GetAsync("/fr/compte/supprimer");
        Assert.That(page.QuerySelector("main")!.TextContent, Does.Contain("restent à vos collègues"));
        var (deleted, _) = await person.SubmitAsync(page, "form.stacked-form", new Dictionary<string, string> { ["password"] = Password });
        deleted.IsRedirectTo("/fr/compte/supprime");

        Assert.That(await WhereFoundAsync(email), Is.Empty, "no copy of the email address anywhere");
        Assert.That(await WhereFoundAsync(name), Is.Empty, "no copy of the name anywhere");
        Assert.That(await WhereFoundAsync(userId), Is.Empty);
        await _factory.WithDbAsync(async db =>
        {
            Assert.That(await db.Organizations.AnyAsync(o => o.Id == organizationId), Is.True, "a colleague still belongs to it");
            Assert.That(await db.NeedRequests.AnyAsync(r => r.Id == requestId), Is.True, "the organization's request stays");
            var message = await db.ConversationMessages.SingleAsync(m => m.ConversationId == conversationId);
            Assert.That((message.AuthorUserId, message.Body), Is.EqualTo((AccountDeletion.DeletedActor, $"Signé {AccountDeletion.Placeholder}, {AccountDeletion.Placeholder}.")));
            return 0;
        });

        // The provider's thread still renders, without the departed person's details; the colleague's pages too.
        var (thread, threadPage) = await providerBrowsing.GetAsync($"/fr/compte/messages/{conversationId}");
        Assert.That(thread.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(threadPage.QuerySelector("main")!.TextContent, Does.Not.Contain(email).And.Not.Contain(name));
        var (opportunities, _) = await providerBrowsing.GetAsync("/fr/compte/demandes");
        Assert.That(opportunities.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        using var colleagueBrowsing = new Browsing(_factory);
        await CurationJourneyTests.SignInAsync(colleagueBrowsing, colleagueEmail, Password);
        foreach (var url in new[] { "/fr/compte/besoins", $"/fr/compte/besoins/{requestId}", "/fr/compte/messages", $"/fr/compte/messages/{conversationId}" })
        {
            var (response, _) = await colleagueBrowsing.GetAsync(url);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), url);
        }
    }

    [Test]
    public async Task A_curator_with_two_factor_deletes_their_account_only_with_a_valid_code()
    {
        var email = $"verif-partante-{Suffix}@exemple.invalid";
        using var curator = await CurationJourneyTests.CuratorAsync(_factory, email);
        var (_, page) = await curator.GetAsync("/fr/compte/supprimer");
        var (noCode, again) = await curator.SubmitAsync(page, "form.stacked-form", new Dictionary<string, string> { ["password"] = Password, ["code"] = "000000" });
        Assert.That(noCode.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await _factory.WithDbAsync(db => db.Users.AnyAsync(u => u.Email == email)), Is.True, "a wrong code deletes nothing");
        var code = Totp.Code(CurationJourneyTests.Keys[email], DateTimeOffset.UtcNow.AddSeconds(30)); // the set-up used this step's code
        var (deleted, _) = await curator.SubmitAsync(again, "form.stacked-form", new Dictionary<string, string> { ["password"] = Password, ["code"] = code });
        deleted.IsRedirectTo("/fr/compte/supprime");
        Assert.That(await _factory.WithDbAsync(db => db.Users.AnyAsync(u => u.Email == email)), Is.False);
    }
}
