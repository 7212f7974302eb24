using Marketplace.Web.Domain.Accounts;
using Marketplace.Web.Domain.Matching;
using Marketplace.Web.Infrastructure.Data;
using Marketplace.Web.Infrastructure.Email;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace Marketplace.Web.Features.Needs;

/// <summary>
/// The emails of requests and matches, queued in the outbox with the change that causes them. What goes to a provider
/// never names the nonprofit unless the nonprofit chose to share its details; it never carries the request's title.
/// </summary>
public sealed class NeedEmails(MarketplaceDbContext db, MemberEmails members, IStringLocalizer<SharedResource> text)
{
    /// <summary>The nonprofit's contact details, once it chose to share them.</summary>
    public sealed record Disclosure(string Organization, string Person, string Email);

    /// <summary>
    /// What the nonprofit shares with a provider: its organization's name, and the person who chose to share (blank if
    /// that account was deleted since). Read for the email that shares it and for the provider's page.
    /// </summary>
    public async Task<Disclosure> DisclosureAsync(int organizationId, string sharedByUserId, CancellationToken cancellationToken)
    {
        var organization = await db.Organizations.AsNoTracking().Where(o => o.Id == organizationId).Select(o => o.Name).SingleAsync(cancellationToken);
        var person = await db.Users.AsNoTracking().Where(u => u.Id == sharedByUserId).Select(u => new { u.DisplayName, u.Email })
            .SingleOrDefaultAsync(cancellationToken);
        return new Disclosure(organization, person?.DisplayName ?? "", person?.Email ?? "");
    }

    public Task ReviewAnsweredAsync(NeedRequest request, string answer, CancellationToken cancellationToken) =>
        members.EnqueueAsync(request.OrganizationId, _ => new MemberEmails.Letter(
            text["Email.Needs.Answered.Subject", request.Title],
            [text["Email.Needs.Answered.Body", request.Title], answer],
            text["Email.Needs.SeeRequest"], $"fr/compte/besoins/{request.Id}", $"en/account/needs/{request.Id}"), cancellationToken);

    public Task InterestedAsync(NeedRequest request, string provider, CancellationToken cancellationToken) =>
        members.EnqueueAsync(request.OrganizationId, _ => new MemberEmails.Letter(
            text["Email.Needs.Interested.Subject", request.Title],
            [text["Email.Needs.Interested.Body", provider, request.Title], text["Email.Needs.Interested.Decide"]],
            text["Email.Needs.SeeRequest"], $"fr/compte/besoins/{request.Id}", $"en/account/needs/{request.Id}"), cancellationToken);
}
