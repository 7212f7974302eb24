using Marketplace.Web.Domain.Matching;
using Marketplace.Web.Domain.Providers;
using Marketplace.Web.Features.Directory;
using Marketplace.Web.Infrastructure.Data;
using Marketplace.Web.Infrastructure.Search;
using Marketplace.Web.Infrastructure.Web;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace Marketplace.Web.Features.Needs;

/// <summary>
/// The matches of one request as the nonprofit (and a curator) reads them: each provider with its reasons in plain
/// words (« offre Conformité Loi 25 », « dessert votre région (Montérégie) », « Coopérative — économie sociale »,
/// « tarif réduit pour OBNL », « service en français »), each factor's contribution, and what was done about it.
/// </summary>
public sealed class MatchCards(MarketplaceDbContext db, Vocabulary vocabulary, IStringLocalizer<SharedResource> text, TimeProvider time)
{
    public sealed record Factor(string Label, double Value, double Contribution);

    public sealed record Card(int ProviderId, string Name, string Slug, double Score, IReadOnlyList<string> Reasons,
        IReadOnlyList<Factor> Factors, DateTimeOffset FirstMatchedAt, MatchResponse? Response);

    public async Task<IReadOnlyList<Card>> ForAsync(NeedRequest request, CancellationToken cancellationToken)
    {
        var matches = await db.Matches.AsNoTracking().Where(m => m.RequestId == request.Id).ToListAsync(cancellationToken);
        var responses = await db.MatchResponses.AsNoTracking().Where(r => r.RequestId == request.Id)
            .ToDictionaryAsync(r => r.ProviderId, cancellationToken);
        var ids = matches.Select(m => m.ProviderId).ToArray();
        var providers = await db.Providers.AsNoTracking().AsSplitQuery().Include(p => p.Offerings).Where(p => ids.Contains(p.Id))
            .ToDictionaryAsync(p => p.Id, cancellationToken);
        var terms = await vocabulary.TermsAsync(cancellationToken);
        var regionName = await vocabulary.RegionNameAsync(request.Region, cancellationToken);
        var cards = new List<Card>();
        foreach (var match in matches.OrderByDescending(m => m.Score).ThenBy(m => m.ProviderId))
        {
            if (!providers.TryGetValue(match.ProviderId, out var provider)) continue;
            cards.Add(new Card(provider.Id, provider.Name, provider.Slug, match.Score,
                Reasons(request, match, provider, terms, regionName),
                match.Factors.Select(f => new Factor(text[$"Match.Factor.{f.Factor}"], f.Value, f.Contribution)).ToList(),
                match.FirstMatchedAt, responses.GetValueOrDefault(match.ProviderId)));
        }
        return cards;
    }

    /// <summary>The reasons in plain words, in the current language, for a match whose provider is loaded with its offerings.</summary>
    public List<string> Reasons(NeedRequest request, MatchRecord match, Provider provider,
        IReadOnlyDictionary<Facet, IReadOnlyList<Vocabulary.Term>> terms, string regionName)
    {
        string Label(Facet facet, string key) => terms[facet].FirstOrDefault(t => t.Key == key)?.Label ?? key;
        double Value(MatchFactor factor) => match.Factors.FirstOrDefault(f => f.Factor == factor)?.Value ?? 0;
        var fitting = provider.Offerings.Where(o => match.MatchedCategories.Contains(o.CategoryKey)).ToList();
        var reasons = match.MatchedCategories.Select(c => text["Match.Why.Offers", Label(Facet.Category, c)].Value).ToList();
        // Coverage ranks first (docs/matching.md): say how much of a request with several categories this provider covers.
        if (request.Categories.Count > 1)
            reasons.Insert(0, match.MatchedCategories.Count >= request.Categories.Count
                ? text["Match.Why.CoversAll", request.Categories.Count]
                : text["Match.Why.CoversSome", match.MatchedCategories.Count, request.Categories.Count]);

        if (fitting.Any(o => o.ServesAllQuebec)) reasons.Add(text["Match.Why.AllQuebec"]);
        else if (fitting.Any(o => o.RegionCodes.Contains(request.Region))) reasons.Add(text["Match.Why.ServesRegion", regionName]);
        else if (request.AcceptsRemote && fitting.Any(o => o.Delivery is DeliveryMode.ADistance or DeliveryMode.Hybride)) reasons.Add(text["Match.Why.Remote"]);
        // Unknown is not "no" (ADR 0015): suggested although no area is stated, to be confirmed with the provider.
        else if (fitting.Any(o => o.RegionCodes.Count == 0)) reasons.Add(text["Match.Why.AreaUnknown"]);
        else reasons.Add(text["Match.Why.Remote"]);
        if (provider.HeadOfficeRegion == request.Region) reasons.Add(text["Match.Why.HeadOffice"]);
        reasons.Add(fitting.Any(o => o.Languages.Contains(request.Language)) || fitting.All(o => o.Languages.Count > 0)
            ? text[$"Match.Why.Language.{request.Language}"]
            : text["Match.Why.LanguageUnknown"]);
        if (provider.SocialEconomy)
            reasons.Add(provider.LegalForm is LegalForm.Autre
                ? text["Match.Why.SocialEconomy"]
                : text["Match.Why.SocialEconomyForm", text[$"LegalForm.{EnumKeys<LegalForm>.Key(provider.LegalForm)}"]]);
        if (fitting.Any(o => o.Pricing == PricingModel.Gratuit)) reasons.Add(text["Match.Why.Free"]);
        else if (fitting.Any(o => o.Pricing == PricingModel.TarifReduitObnl)) reasons.Add(text["Match.Why.NonprofitRate"]);
        if (Value(MatchFactor.FundingFit) > 0 && request.Preferences.FundingProgram is { } program)
            reasons.Add(text["Match.Why.Funding", Label(Facet.Funding, program)]);
        if (provider.VerifiedAt is { } verified)
            reasons.Add(Provider.VerificationIsStale(verified, time.GetUtcNow())
                ? text["Match.Why.VerificationDue"]
                : text["Match.Why.Verified", Cultures.LongDate(verified)]);
        if (Value(MatchFactor.DismissalFeedback) < 0.75) reasons.Add(text["Match.Why.OftenDismissed"]);
        return reasons;
    }
}
