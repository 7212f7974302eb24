using Marketplace.Web.Features.Matching;
using Marketplace.Web.Infrastructure;
using Marketplace.Web.Infrastructure.Email;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Marketplace.Web.Features.Legal;

/// <summary>
/// The privacy notice, the governance page and the terms, built from this deployment's settings and the features the
/// site has (docs/privacy/inventory.md lists every table they describe).
/// </summary>
public sealed class LegalController(
    IOptions<PrivacyOptions> privacy,
    IOptions<RetentionOptions> retention,
    IOptions<EmailOptions> email,
    PrivacyNotice notice) : Controller
{
    /// <summary>What the notice and the governance page state: the deployment's own facts.</summary>
    public sealed record Notice(PrivacyOptions Privacy, RetentionOptions Retention, bool EmailLeavesTheSite, int MatchesShown, bool NeedsReading);

    private async Task<Notice> NoticeAsync(CancellationToken cancellationToken) => new(
        privacy.Value, retention.Value, email.Value.Transport != EmailTransportKind.Files, MatchingRun.TopCount,
        await notice.NeedsReadingAsync(User, cancellationToken));

    [HttpGet("fr/confidentialite", Name = "privacy.fr")]
    [HttpGet("en/privacy", Name = "privacy.en")]
    public async Task<IActionResult> Privacy(CancellationToken cancellationToken) => View(await NoticeAsync(cancellationToken));

    /// <summary>« J'ai lu » : the signed-in person read this version of the notice (a record, not a consent).</summary>
    [HttpPost("fr/confidentialite/lue", Name = "privacy-read.fr")]
    [HttpPost("en/privacy/read", Name = "privacy-read.en")]
    public async Task<IActionResult> Read(CancellationToken cancellationToken)
    {
        if (User.Identity?.IsAuthenticated != true) return RedirectToRoute(Infrastructure.Localization.LocalizedLinks.RouteName("privacy"));
        await notice.RecordReadAsync(User, cancellationToken);
        return RedirectToRoute(Infrastructure.Localization.LocalizedLinks.RouteName("privacy"));
    }

    [HttpGet("fr/gouvernance", Name = "governance.fr")]
    [HttpGet("en/governance", Name = "governance.en")]
    public async Task<IActionResult> Governance(CancellationToken cancellationToken) => View(await NoticeAsync(cancellationToken));

    [HttpGet("fr/conditions", Name = "terms.fr")]
    [HttpGet("en/terms", Name = "terms.en")]
    public IActionResult Terms() => View(privacy.Value);
}
