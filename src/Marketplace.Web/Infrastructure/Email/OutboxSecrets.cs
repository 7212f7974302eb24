using System.Text.RegularExpressions;
using Microsoft.AspNetCore.DataProtection;

namespace Marketplace.Web.Infrastructure.Email;

/// <summary>
/// Keeps the live tokens of emails (confirmation, set-password and reset links, claim links) unreadable at rest (issue
/// 12, ADR 0021). The query string of such a link is stored in both bodies as <c>[[protected:…]]</c>, sealed with ASP.NET
/// Core Data Protection; the sender reveals it only to build the message it sends, and once the message is sent the
/// body is cut before the seal (<see cref="OutboxDelivery"/>). The path stays readable, so « a confirmation link was sent
/// to this address » can still be counted, and a database dump alone gives no link that works.
/// </summary>
public sealed partial class OutboxSecrets(IDataProtectionProvider protection)
{
    /// <summary>What starts a sealed part in a stored body; a body that contains it is a sensitive email.</summary>
    public const string Marker = "[[protected:";

    private readonly IDataProtector _protector = protection.CreateProtector("Marketplace.OutboxSecrets.v1");

    /// <summary>Seals the query string of <paramref name="link"/> wherever the email's bodies show it.</summary>
    public OutboxEmail Seal(OutboxEmail email, string link)
    {
        var question = link.IndexOf('?');
        if (question < 0 || question == link.Length - 1) return email;
        var query = link[(question + 1)..];
        email.SealInBodies(query, EmailBodies.HtmlText(query), Marker + _protector.Protect(query) + "]]");
        return email;
    }

    /// <summary>The body as it is sent: every sealed part opened (HTML-encoded in an HTML body).</summary>
    public string Reveal(string body, bool html = false) =>
        !body.Contains(Marker, StringComparison.Ordinal)
            ? body
            : Sealed().Replace(body, m =>
            {
                var query = _protector.Unprotect(m.Groups[1].Value);
                return html ? EmailBodies.HtmlText(query) : query;
            });

    [GeneratedRegex(@"\[\[protected:([A-Za-z0-9_-]+)\]\]")]
    private static partial Regex Sealed();
}
