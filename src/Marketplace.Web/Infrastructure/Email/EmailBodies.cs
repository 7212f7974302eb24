using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.WebUtilities;

namespace Marketplace.Web.Infrastructure.Email;

/// <summary>
/// The two parts of every email: plain paragraphs, one link, and the footer saying why the person gets it and whom to
/// ask about personal information. Everything users typed is HTML-encoded; no image, no tracking.
/// </summary>
public static class EmailBodies
{
    public static string Text(IEnumerable<string> paragraphs, string linkLabel, string link, string footer)
    {
        var body = new StringBuilder();
        foreach (var paragraph in paragraphs) body.Append(paragraph).Append("\n\n");
        return body.Append(linkLabel).Append('\n').Append(link).Append("\n\n-- \n").Append(footer).Append('\n').ToString();
    }

    private static readonly HtmlEncoder HtmlEncoding = HtmlEncoder.Create(System.Text.Unicode.UnicodeRanges.All); // accents as they are, markup encoded

    /// <summary>Text as the HTML part shows it.</summary>
    public static string HtmlText(string text) => HtmlEncoding.Encode(text);

    public static string Html(IEnumerable<string> paragraphs, string linkLabel, string link, string footer)
    {
        var html = HtmlEncoding;
        var body = new StringBuilder("<!DOCTYPE html><html><body style=\"font-family:Arial,sans-serif;font-size:16px;line-height:1.5;color:#1a1a1a\">");
        foreach (var paragraph in paragraphs) body.Append("<p>").Append(html.Encode(paragraph)).Append("</p>");
        body.Append("<p><a href=\"").Append(html.Encode(link)).Append("\">").Append(html.Encode(linkLabel)).Append("</a></p>");
        return body.Append("<hr><p style=\"font-size:13px;color:#555\">").Append(html.Encode(footer)).Append("</p></body></html>").ToString();
    }

    /// <summary>An outbox row with both parts, a fresh Message-ID on <paramref name="messageIdDomain"/>, due now.</summary>
    public static OutboxEmail Compose(string to, string subject, IReadOnlyCollection<string> paragraphs, string linkLabel, string link,
        string footer, string language, string messageIdDomain, DateTimeOffset now, string kind = EmailKinds.General) =>
        new(to, subject, Text(paragraphs, linkLabel, link, footer), Html(paragraphs, linkLabel, link, footer), language,
            $"<{Guid.NewGuid():N}@{messageIdDomain}>", now, kind);

    /// <summary>An absolute link for an email: the site's public address, a path, and query parameters.</summary>
    public static string Link(string publicBaseUrl, string path, IDictionary<string, string?>? query = null) =>
        QueryHelpers.AddQueryString($"{publicBaseUrl.TrimEnd('/')}/{path}", query ?? new Dictionary<string, string?>());
}
