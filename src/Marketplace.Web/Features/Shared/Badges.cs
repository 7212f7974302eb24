using System.Text.Encodings.Web;
using Marketplace.Web.Domain.Providers;
using Marketplace.Web.Infrastructure.Web;
using Microsoft.AspNetCore.Html;
using Microsoft.Extensions.Localization;

namespace Marketplace.Web.Features.Shared;

/// <summary>
/// Small pieces of HTML that many cards of one page repeat (ADR 0025): written directly rather than as a partial view
/// per card. The partials _OriginBadge and _Verification write the same HTML for the pages that show one.
/// </summary>
public static class Badges
{
    /// <summary>Where a listing's data comes from, when it is not its own organization (demonstration, fiction, synthetic).</summary>
    public static IHtmlContent Origin(IStringLocalizer text, DataOrigin origin) => origin switch
    {
        DataOrigin.PublicDocuments => Span("badge badge-demo", text["Origin.PublicDocuments"]),
        DataOrigin.Fictional => Span("badge badge-fiction", text["Origin.Fictional"]),
        DataOrigin.Synthetic => Span("badge badge-fiction", text["Origin.Synthetic"]),
        _ => HtmlString.Empty,
    };

    /// <summary>When a person last confirmed a listing, or that the confirmation is due: one rule (<see cref="Provider.VerificationIsStale"/>) for every page.</summary>
    public static IHtmlContent Verification(IStringLocalizer text, DateTimeOffset? verifiedAt, DateTimeOffset now)
    {
        if (verifiedAt is not { } verified) return new HtmlString(Encode(text["Provider.NotVerified"]));
        if (Provider.VerificationIsStale(verified, now)) return Span("verification-due", text["Provider.VerificationDue"]);
        return new HtmlString($"<time datetime=\"{Encode(Cultures.IsoDate(verified))}\">{Encode(text["Provider.VerifiedOn", Cultures.LongDate(verified)])}</time>");
    }

    private static HtmlString Span(string classes, string content) => new($"<span class=\"{classes}\">{Encode(content)}</span>");

    private static string Encode(string value) => HtmlEncoder.Default.Encode(value);
}
