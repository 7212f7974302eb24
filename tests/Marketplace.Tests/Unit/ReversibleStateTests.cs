using Marketplace.Web.Domain;
using Marketplace.Web.Domain.Matching;
using Marketplace.Web.Domain.Providers;

namespace Marketplace.Tests.Unit;

/// <summary>Issue 11: the staleness rule, renewing a verification, restoring an archived listing, reopening a closed request.</summary>
public sealed class ReversibleStateTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);

    private static Provider Published(DateTimeOffset verifiedAt)
    {
        var provider = new Provider("coop-test", "Coop Test", LegalForm.Cooperative, true, "Une coopérative de test.");
        provider.AddOffering("formation", "Formations.", null, PricingModel.Forfait, DeliveryMode.Hybride, false, ["06"], ["fr"]);
        provider.Publish(verifiedAt);
        return provider;
    }

    [Test]
    public void A_verification_is_stale_only_after_12_months()
    {
        Assert.That(Provider.VerificationIsStale(Now.AddMonths(-12).AddDays(1), Now), Is.False);
        Assert.That(Provider.VerificationIsStale(Now.AddMonths(-12), Now), Is.False, "exactly 12 months is still valid");
        Assert.That(Provider.VerificationIsStale(Now.AddMonths(-12).AddSeconds(-1), Now), Is.True);
        Assert.That(Provider.VerificationIsStale(new DateTimeOffset(2024, 9, 5, 0, 0, 0, TimeSpan.Zero), Now), Is.True);
    }

    [Test]
    public void Renewing_a_verification_moves_its_date_and_only_for_a_published_listing()
    {
        var provider = Published(Now.AddMonths(-14));
        provider.RenewVerification(Now);
        Assert.That(provider.VerifiedAt, Is.EqualTo(Now));
        Assert.That(Provider.VerificationIsStale(provider.VerifiedAt!.Value, Now), Is.False);
        provider.Archive();
        Assert.Throws<DomainException>(() => provider.RenewVerification(Now));
    }

    [Test]
    public void Restoring_publishes_an_archived_listing_again_with_its_old_verification_date()
    {
        var verified = Now.AddMonths(-3);
        var provider = Published(verified);
        Assert.Throws<DomainException>(() => provider.Restore(), "not archived");
        provider.Archive();
        provider.Restore();
        Assert.That((provider.Status, provider.VerifiedAt), Is.EqualTo((ListingStatus.Published, (DateTimeOffset?)verified)));
    }

    [Test]
    public void A_listing_nobody_verified_cannot_be_restored_to_publication()
    {
        var draft = new Provider("brouillon", "Brouillon", LegalForm.Obnl, true, "Jamais publiée.");
        draft.AddOffering("formation", "Formations.", null, PricingModel.Forfait, DeliveryMode.Hybride, false, ["06"], ["fr"]);
        draft.Archive();
        Assert.Throws<DomainException>(() => draft.Restore());
        Assert.That(draft.Status, Is.EqualTo(ListingStatus.Archived));
    }

    private static NeedRequest Request() =>
        new(1, "Former nos bénévoles", "", ["formation"], "16", DeliveryPreference.Either, "fr", BudgetRange.Unknown, Timeline.Flexible,
            ValuePreferences.None, Now.AddDays(-200));

    [Test]
    public void A_closed_request_reopens_within_90_days_of_closing_and_not_after()
    {
        var request = Request();
        Assert.Throws<DomainException>(() => request.Reopen(Now), "only a closed request reopens");
        request.Close(Now.AddDays(-90));
        Assert.That(request.CanReopen(Now), Is.True);
        request.Reopen(Now);
        Assert.That((request.Status, request.UpdatedAt), Is.EqualTo((RequestStatus.Open, Now)));

        request.Close(Now.AddDays(-91));
        Assert.That(request.CanReopen(Now), Is.False);
        Assert.Throws<DomainException>(() => request.Reopen(Now));
        Assert.That(request.Status, Is.EqualTo(RequestStatus.Closed));
    }
}
