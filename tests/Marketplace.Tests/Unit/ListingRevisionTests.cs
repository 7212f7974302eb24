using Marketplace.Web.Domain;
using Marketplace.Web.Domain.Listings;
using Marketplace.Web.Domain.Providers;

namespace Marketplace.Tests.Unit;

/// <summary>Every transition of a revision, legal and illegal.</summary>
public sealed class ListingRevisionTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 22, 14, 0, 0, TimeSpan.Zero);

    public static ListingContent Complete(string name = "Atelier Numérique") => new(
        name, LegalForm.Cooperative, true, null, "06", "https://exemple.invalid/atelier",
        "Formations en littératie numérique pour les organismes.", null,
        [new OfferingContent("formation", "Ateliers sur mesure.", null, PricingModel.TarifReduitObnl, DeliveryMode.Hybride,
            false, ["06", "13"], ["fr"], [])]);

    private static ListingRevision Draft(ListingContent? content = null) => new(1, null, content ?? Complete(), "author", T0);

    private static ListingRevision Submitted()
    {
        var revision = Draft();
        revision.Submit(T0.AddMinutes(1));
        return revision;
    }

    [Test]
    public void A_new_revision_is_an_editable_draft()
    {
        var revision = Draft(ListingContent.Empty("Brouillon"));
        Assert.That(revision.State, Is.EqualTo(RevisionState.Draft));
        Assert.That(revision.IsEditable && revision.IsOpen);
        revision.Edit(Complete(), T0.AddMinutes(5));
        Assert.That(revision.Content.Name, Is.EqualTo("Atelier Numérique"));
        Assert.That(revision.UpdatedAt, Is.EqualTo(T0.AddMinutes(5)));
    }

    [Test]
    public void An_incomplete_draft_can_be_saved_but_not_submitted()
    {
        var revision = Draft(ListingContent.Empty("Brouillon"));
        Assert.Throws<DomainException>(() => revision.Submit(T0));
        Assert.That(revision.State, Is.EqualTo(RevisionState.Draft));
        Assert.Throws<DomainException>(() => Draft(Complete() with { Offerings = [] }).Submit(T0));
        Assert.Throws<DomainException>(() => Draft(Complete() with { Neq = "123" }).Submit(T0));
        Assert.Throws<DomainException>(() => Draft(Complete() with { Website = "javascript:alert(1)" }).Submit(T0));
    }

    [Test]
    public void Submit_then_each_decision()
    {
        var approved = Submitted();
        Assert.That(approved.SubmittedAt, Is.EqualTo(T0.AddMinutes(1)));
        approved.Approve("curator", T0.AddHours(1));
        Assert.That(approved.State, Is.EqualTo(RevisionState.Approved));
        Assert.That((approved.DecidedByUserId, approved.DecidedAt), Is.EqualTo(("curator", (DateTimeOffset?)T0.AddHours(1))));
        Assert.That(approved.IsOpen, Is.False);

        var changes = Submitted();
        changes.RequestChanges("curator", "Précisez les régions.", T0.AddHours(1));
        Assert.That(changes.State, Is.EqualTo(RevisionState.ChangesRequested));
        Assert.That(changes.DecisionReason, Is.EqualTo("Précisez les régions."));
        changes.Edit(Complete("Atelier Numérique coop"), T0.AddHours(2));
        changes.Submit(T0.AddHours(3));
        Assert.That(changes.State, Is.EqualTo(RevisionState.Submitted));
        changes.Approve("curator-2", T0.AddHours(4));
        Assert.That(changes.State, Is.EqualTo(RevisionState.Approved));

        var rejected = Submitted();
        rejected.Reject("curator", "Hors du champ du répertoire.", T0.AddHours(1));
        Assert.That(rejected.State, Is.EqualTo(RevisionState.Rejected));
    }

    [Test]
    public void A_decision_needs_a_submitted_revision()
    {
        var draft = Draft();
        Assert.Throws<DomainException>(() => draft.Approve("curator", T0));
        Assert.Throws<DomainException>(() => draft.RequestChanges("curator", "x", T0));
        Assert.Throws<DomainException>(() => draft.Reject("curator", "x", T0));

        var approved = Submitted();
        approved.Approve("curator", T0);
        // The second curator deciding the same submission is refused.
        Assert.Throws<DomainException>(() => approved.Reject("curator-2", "Non.", T0));
        Assert.Throws<DomainException>(() => approved.Approve("curator-2", T0));
        Assert.That(approved.State, Is.EqualTo(RevisionState.Approved));
    }

    [Test]
    public void Asking_for_changes_or_rejecting_needs_a_reason()
    {
        Assert.Throws<DomainException>(() => Submitted().RequestChanges("curator", "  ", T0));
        Assert.Throws<DomainException>(() => Submitted().Reject("curator", "", T0));
    }

    [Test]
    public void Final_states_are_final()
    {
        var approved = Submitted();
        approved.Approve("curator", T0);
        var rejected = Submitted();
        rejected.Reject("curator", "Non.", T0);
        var discarded = Draft();
        discarded.Discard(T0);
        foreach (var revision in new[] { approved, rejected, discarded })
        {
            Assert.Throws<DomainException>(() => revision.Edit(Complete(), T0), revision.State.ToString());
            Assert.Throws<DomainException>(() => revision.Submit(T0), revision.State.ToString());
            Assert.Throws<DomainException>(() => revision.Discard(T0), revision.State.ToString());
        }
    }

    [Test]
    public void A_submitted_revision_cannot_be_edited_until_changes_are_requested()
    {
        var submitted = Submitted();
        Assert.Throws<DomainException>(() => submitted.Edit(Complete("Autre nom"), T0));
        Assert.Throws<DomainException>(() => submitted.Submit(T0));
        Assert.That(submitted.Content.Name, Is.EqualTo("Atelier Numérique"));
    }

    [Test]
    public void Every_change_moves_the_concurrency_version()
    {
        var revision = Draft();
        var versions = new List<int> { revision.Version };
        revision.Edit(Complete(), T0); versions.Add(revision.Version);
        revision.Submit(T0); versions.Add(revision.Version);
        revision.RequestChanges("curator", "x", T0); versions.Add(revision.Version);
        Assert.That(versions, Is.Ordered.Ascending.And.Unique);
    }

    [Test]
    public void The_changes_of_an_edit_are_named_field_by_field()
    {
        var published = Complete();
        Assert.That(published.ChangedFrom(published), Is.Empty);
        var edit = published with
        {
            Website = "https://exemple.invalid/nouveau",
            Offerings = [published.Offerings[0] with { RegionCodes = ["06"] }],
        };
        Assert.That(edit.ChangedFrom(published), Is.EqualTo(new[] { "Website", "Offerings" }));
    }

    [Test]
    public void The_content_of_a_published_provider_round_trips()
    {
        var provider = new Provider("atelier", "Atelier", LegalForm.Obnl, true, "Description.", website: "https://exemple.invalid/");
        provider.AddOffering("crm", "CRM.", null, PricingModel.Gratuit, DeliveryMode.ADistance, true, [], ["fr"]);
        var content = ListingContent.Of(provider);
        Assert.DoesNotThrow(content.EnsurePublishable);
        Assert.That(content.Offerings.Single().CategoryKey, Is.EqualTo("crm"));
    }
}
