using Marketplace.Tests.Support;
using Marketplace.Tests.Unit;
using Marketplace.Web.Domain.Accounts;
using Marketplace.Web.Domain.Listings;
using Marketplace.Web.Domain.Providers;
using Marketplace.Web.Features.Curation;
using Marketplace.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Marketplace.Tests.Integration;

/// <summary>A listing's life through the workflow use cases, on a real database, seen through the public search API.</summary>
[TestFixture(DatabaseProvider.Sqlite)]
[TestFixture(DatabaseProvider.Postgres)]
public sealed class ListingWorkflowTests(DatabaseProvider provider)
{
    private MarketplaceFactory _factory = null!;
    private HttpClient _client = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _factory = await MarketplaceFactory.StartAsync(provider);
        _client = _factory.CreateClient();
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
    }

    private Task<T> WithAsync<T>(Func<ListingWorkflow, MarketplaceDbContext, Task<T>> action) =>
        _factory.WithScopeAsync(sp => action(sp.GetRequiredService<ListingWorkflow>(), sp.GetRequiredService<MarketplaceDbContext>()));

    /// <summary>A provider organization with one confirmed member who reads French.</summary>
    private async Task<(int OrganizationId, string UserId)> ProviderOrganizationAsync(string name, string language = "fr") =>
        await _factory.WithDbAsync(async db =>
        {
            var organization = new Organization(name, OrganizationKind.Provider, DateTimeOffset.UtcNow);
            db.Organizations.Add(organization);
            await db.SaveChangesAsync();
            var user = new MarketplaceUser
            {
                UserName = $"{Guid.NewGuid():N}@exemple.invalid", Email = $"{Guid.NewGuid():N}@exemple.invalid", EmailConfirmed = true,
                DisplayName = "Camille", OrganizationId = organization.Id, Language = language, CreatedAt = DateTimeOffset.UtcNow,
            };
            db.Users.Add(user);
            await db.SaveChangesAsync();
            return (organization.Id, user.Id);
        });

    private static ListingContent Content(string name, string word) =>
        ListingRevisionTests.Complete(name) with { DescriptionFr = $"Accompagnement numérique {word} pour les organismes." };

    [Test]
    public async Task Draft_submit_changes_approve_edit_approve_archive_as_seen_by_search()
    {
        var (org, user) = await ProviderOrganizationAsync("Atelier Quokka");
        var draft = await WithAsync((w, _) => w.OpenAsync(org, user, CancellationToken.None));
        Assert.That(draft.State, Is.EqualTo(RevisionState.Draft));
        Assert.That(await WithAsync((w, _) => w.SaveAsync(draft.Id, org, Content("Atelier Quokka", "quokkaun"), CancellationToken.None)), Is.True);
        Assert.That(await WithAsync((w, _) => w.SubmitAsync(draft.Id, org, user, CancellationToken.None)), Is.True);
        Assert.That(await _client.SlugsAsync("q=quokkaun"), Is.Empty, "nothing is public before approval");

        var seen = await _factory.WithDbAsync(db => db.ListingRevisions.SingleAsync(r => r.Id == draft.Id));
        Assert.That(await WithAsync((w, _) => w.DecideAsync(draft.Id, seen.Version, Decision.RequestChanges, "curator", "Précisez les régions.", CancellationToken.None)),
            Is.EqualTo(DecisionOutcome.Done));
        await WithAsync((w, _) => w.SaveAsync(draft.Id, org, Content("Atelier Quokka", "quokkaun"), CancellationToken.None));
        await WithAsync((w, _) => w.SubmitAsync(draft.Id, org, user, CancellationToken.None));
        seen = await _factory.WithDbAsync(db => db.ListingRevisions.SingleAsync(r => r.Id == draft.Id));
        Assert.That(await WithAsync((w, _) => w.DecideAsync(draft.Id, seen.Version, Decision.Approve, "curator", null, CancellationToken.None)),
            Is.EqualTo(DecisionOutcome.Done));
        Assert.That(await _client.SlugsAsync("q=quokkaun"), Is.EqualTo(new[] { "atelier-quokka" }), "published at once");
        var published = await _factory.WithDbAsync(db => db.Providers.SingleAsync(p => p.Slug == "atelier-quokka"));
        Assert.That(published.VerifiedAt, Is.Not.Null);

        // An edit is a new revision; the published listing stays as it was until the edit is approved.
        var edit = await WithAsync((w, _) => w.OpenAsync(org, user, CancellationToken.None));
        Assert.That(edit.Id, Is.Not.EqualTo(draft.Id));
        Assert.That(edit.ProviderId, Is.EqualTo(published.Id));
        Assert.That(edit.Content.DescriptionFr, Does.Contain("quokkaun"), "an edit starts from the published listing");
        await WithAsync((w, _) => w.SaveAsync(edit.Id, org, Content("Atelier Quokka", "quokkadeux"), CancellationToken.None));
        await WithAsync((w, _) => w.SubmitAsync(edit.Id, org, user, CancellationToken.None));
        Assert.That(await _client.SlugsAsync("q=quokkaun"), Is.EqualTo(new[] { "atelier-quokka" }), "the old version stays visible");
        Assert.That(await _client.SlugsAsync("q=quokkadeux"), Is.Empty);
        var changed = await _factory.WithDbAsync(async db =>
        {
            var p = await db.Providers.Include(x => x.Offerings).SingleAsync(x => x.Id == published.Id);
            var r = await db.ListingRevisions.SingleAsync(x => x.Id == edit.Id);
            return r.Content.ChangedFrom(ListingContent.Of(p));
        });
        Assert.That(changed, Is.EqualTo(new[] { "DescriptionFr" }), "the curator sees exactly what changed");

        seen = await _factory.WithDbAsync(db => db.ListingRevisions.SingleAsync(r => r.Id == edit.Id));
        await WithAsync((w, _) => w.DecideAsync(edit.Id, seen.Version, Decision.Approve, "curator", null, CancellationToken.None));
        Assert.That(await _client.SlugsAsync("q=quokkadeux"), Is.EqualTo(new[] { "atelier-quokka" }), "the approved edit replaces it");
        Assert.That(await _client.ExactSlugsAsync("q=quokkaun"), Is.Empty, "the old text no longer matches (only as a close spelling of the name)");

        Assert.That(await WithAsync((w, _) => w.ArchiveAsync(published.Id, org, user, null, CancellationToken.None)), Is.True);
        Assert.That(await _client.SlugsAsync("q=quokkadeux"), Is.Empty, "archived listings leave search at once");
        // Archived is withdrawn, not missing: 410 Gone with noindex (issue 14, s. 28.1), where it was a 404.
        Assert.That((int)(await _client.GetAsync("/fr/fournisseurs/atelier-quokka")).StatusCode, Is.EqualTo(410));

        var audit = await _factory.WithDbAsync(db => db.AuditEntries.Where(a => a.OrganizationId == org).OrderBy(a => a.Id)
            .Select(a => a.Action).ToListAsync());
        Assert.That(audit, Is.EqualTo(new[]
        {
            AuditAction.Submitted, AuditAction.ChangesRequested, AuditAction.Submitted, AuditAction.Approved,
            AuditAction.Submitted, AuditAction.Approved, AuditAction.Archived,
        }));
        var emails = await _factory.WithDbAsync(db => db.OutboxEmails.Where(e => e.TextBody.Contains("Atelier Quokka"))
            .OrderBy(e => e.Id).Select(e => e.Subject).ToListAsync());
        Assert.That(emails, Has.Count.EqualTo(6), "one email per submission and per decision");
        Assert.That(emails[1], Is.EqualTo("Fiche « Atelier Quokka » : modifications demandées"));
        Assert.That(emails[3], Is.EqualTo("Fiche « Atelier Quokka » approuvée et publiée"));
    }

    [Test]
    public async Task When_two_curators_decide_the_same_submission_the_first_wins_and_nothing_is_lost()
    {
        var (org, user) = await ProviderOrganizationAsync("Atelier Wombat");
        var draft = await WithAsync((w, _) => w.OpenAsync(org, user, CancellationToken.None));
        await WithAsync((w, _) => w.SaveAsync(draft.Id, org, Content("Atelier Wombat", "wombatun"), CancellationToken.None));
        await WithAsync((w, _) => w.SubmitAsync(draft.Id, org, user, CancellationToken.None));
        var seen = await _factory.WithDbAsync(db => db.ListingRevisions.SingleAsync(r => r.Id == draft.Id));

        var first = await WithAsync((w, _) => w.DecideAsync(draft.Id, seen.Version, Decision.Reject, "curator-a", "Hors champ.", CancellationToken.None));
        var second = await WithAsync((w, _) => w.DecideAsync(draft.Id, seen.Version, Decision.Approve, "curator-b", null, CancellationToken.None));
        Assert.That((first, second), Is.EqualTo((DecisionOutcome.Done, DecisionOutcome.AlreadyDecided)));
        var revision = await _factory.WithDbAsync(db => db.ListingRevisions.SingleAsync(r => r.Id == draft.Id));
        Assert.That((revision.State, revision.DecidedByUserId, revision.DecisionReason),
            Is.EqualTo((RevisionState.Rejected, (string?)"curator-a", (string?)"Hors champ.")));
        Assert.That(await _client.SlugsAsync("q=wombatun"), Is.Empty);
    }

    [Test]
    public async Task An_organization_never_reaches_another_organizations_revisions_or_listing()
    {
        var (a, userA) = await ProviderOrganizationAsync("Atelier Alpaga");
        var (b, _) = await ProviderOrganizationAsync("Atelier Bison");
        var draftA = await WithAsync((w, _) => w.OpenAsync(a, userA, CancellationToken.None));
        Assert.That(await WithAsync((w, _) => w.FindAsync(draftA.Id, b, CancellationToken.None)), Is.Null);
        Assert.That(await WithAsync((w, _) => w.SaveAsync(draftA.Id, b, Content("Piraté", "pirate"), CancellationToken.None)), Is.False);
        Assert.That(await WithAsync((w, _) => w.SubmitAsync(draftA.Id, b, userA, CancellationToken.None)), Is.False);
        var stored = await _factory.WithDbAsync(db => db.ListingRevisions.SingleAsync(r => r.Id == draftA.Id));
        Assert.That((stored.State, stored.Content.Name), Is.EqualTo((RevisionState.Draft, "Atelier Alpaga")));

        var seeded = await _factory.WithDbAsync(db => db.Providers.FirstAsync(p => p.Status == ListingStatus.Published));
        Assert.That(await WithAsync((w, _) => w.ArchiveAsync(seeded.Id, b, userA, null, CancellationToken.None)), Is.False);
        Assert.That((await _factory.WithDbAsync(db => db.Providers.SingleAsync(p => p.Id == seeded.Id))).Status, Is.EqualTo(ListingStatus.Published));
    }

    [Test]
    public async Task A_listing_unverified_for_a_year_is_listed_and_its_provider_reminded_once_a_month()
    {
        var (org, user) = await ProviderOrganizationAsync("Atelier Tatou");
        var draft = await WithAsync((w, _) => w.OpenAsync(org, user, CancellationToken.None));
        await WithAsync((w, _) => w.SaveAsync(draft.Id, org, Content("Atelier Tatou", "tatouun"), CancellationToken.None));
        await WithAsync((w, _) => w.SubmitAsync(draft.Id, org, user, CancellationToken.None));
        var seen = await _factory.WithDbAsync(db => db.ListingRevisions.SingleAsync(r => r.Id == draft.Id));
        await WithAsync((w, _) => w.DecideAsync(draft.Id, seen.Version, Decision.Approve, "curator", null, CancellationToken.None));
        var providerId = await _factory.WithDbAsync(db => db.Providers.Where(p => p.Slug == "atelier-tatou").Select(p => p.Id).SingleAsync());

        async Task<IReadOnlyList<Reverification.Due>> DueAsync() =>
            await _factory.WithScopeAsync(sp => sp.GetRequiredService<Reverification>().DueAsync(CancellationToken.None));
        async Task<int> RemindAsync() =>
            await _factory.WithScopeAsync(sp => sp.GetRequiredService<Reverification>().RemindAsync(CancellationToken.None));

        Assert.That((await DueAsync()).Select(d => d.ProviderId), Does.Not.Contain(providerId), "verified today");
        // Seed-data has listings verified over a year ago; they have no organization to remind.
        Assert.That((await DueAsync()).Where(d => d.Organization is null), Is.Not.Empty);

        var old = DateTimeOffset.UtcNow.AddDays(-400);
        await _factory.WithDbAsync(db => db.Providers.Where(p => p.Id == providerId).ExecuteUpdateAsync(s => s.SetProperty(p => p.VerifiedAt, old)));
        var due = (await DueAsync()).Single(d => d.ProviderId == providerId);
        Assert.That(due.Organization, Is.EqualTo("Atelier Tatou"));

        Assert.That(await RemindAsync(), Is.EqualTo(1));
        Assert.That(await RemindAsync(), Is.Zero, "not twice within 30 days");
        var subjects = await _factory.WithDbAsync(db => db.OutboxEmails.Where(e => e.Subject.Contains("Atelier Tatou")).Select(e => e.Subject).ToListAsync());
        Assert.That(subjects, Does.Contain("Fiche « Atelier Tatou » : vérification annuelle"));
        Assert.That(await _factory.WithDbAsync(db => db.AuditEntries.CountAsync(a => a.ProviderId == providerId && a.Action == AuditAction.ReverificationReminded)), Is.EqualTo(1));
    }

    [TestCase("Atelier Numérique & Cie", "atelier-numerique-cie")]
    [TestCase("  Œuvre — Coop  ", "oeuvre-coop")]
    [TestCase("!!!", "fiche")]
    public void Slugs_are_readable(string name, string slug) => Assert.That(ListingWorkflow.Slug(name), Is.EqualTo(slug));
}
