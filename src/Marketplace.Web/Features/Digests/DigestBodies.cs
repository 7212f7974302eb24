using System.Text;
using System.Text.Encodings.Web;

namespace Marketplace.Web.Features.Digests;

/// <summary>
/// The two parts of a digest: an introduction, sections (a heading, items each with a title, lines and a link), the
/// footer (why the person gets it, whom to ask about personal information) and the one-click stop link. Everything
/// users typed is HTML-encoded; simple tables-free HTML with inline styles, no image, no tracking, links as they are.
/// </summary>
public static class DigestBodies
{
    // Accents stay as they are (UTF-8 part); markup characters and quotes are encoded.
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(System.Text.Unicode.UnicodeRanges.All);

    public sealed record Item(string Title, IReadOnlyList<string> Lines, string? LinkLabel, string? Link);

    /// <param name="Note">A sentence after the items, such as how many more wait on the site.</param>
    public sealed record Section(string Heading, IReadOnlyList<Item> Items, string? LinkLabel = null, string? Link = null, string? Note = null);

    public sealed record Letter(string Greeting, string Introduction, IReadOnlyList<Section> Sections, string Footer, string StopLabel, string StopLink);

    public static string Text(Letter letter)
    {
        var text = new StringBuilder().Append(letter.Greeting).Append("\n\n").Append(letter.Introduction).Append("\n\n");
        foreach (var section in letter.Sections)
        {
            text.Append("== ").Append(section.Heading).Append(" ==\n\n");
            foreach (var item in section.Items)
            {
                text.Append("* ").Append(item.Title).Append('\n');
                foreach (var line in item.Lines) text.Append("  ").Append(line).Append('\n');
                if (item.Link is not null) text.Append("  ").Append(item.LinkLabel).Append(" : ").Append(item.Link).Append('\n');
                text.Append('\n');
            }
            if (section.Note is not null) text.Append(section.Note).Append("\n\n");
            if (section.Link is not null) text.Append(section.LinkLabel).Append(" : ").Append(section.Link).Append("\n\n");
        }
        return text.Append("-- \n").Append(letter.Footer).Append('\n').Append(letter.StopLabel).Append(" : ").Append(letter.StopLink).Append('\n').ToString();
    }

    public static string Html(Letter letter)
    {
        var e = Encoder;
        var html = new StringBuilder("<!DOCTYPE html><html><body style=\"font-family:Arial,sans-serif;font-size:16px;line-height:1.5;color:#1a1a1a;max-width:40em\">");
        html.Append("<p>").Append(e.Encode(letter.Greeting)).Append("</p><p>").Append(e.Encode(letter.Introduction)).Append("</p>");
        foreach (var section in letter.Sections)
        {
            html.Append("<h2 style=\"font-size:18px;margin:24px 0 8px\">").Append(e.Encode(section.Heading)).Append("</h2>");
            if (section.Items.Count > 0) html.Append("<ul style=\"padding-left:20px\">");
            foreach (var item in section.Items)
            {
                html.Append("<li style=\"margin-bottom:12px\"><strong>").Append(e.Encode(item.Title)).Append("</strong>");
                foreach (var line in item.Lines) html.Append("<br>").Append(e.Encode(line));
                if (item.Link is not null)
                    html.Append("<br><a href=\"").Append(e.Encode(item.Link)).Append("\">").Append(e.Encode(item.LinkLabel ?? item.Link)).Append("</a>");
                html.Append("</li>");
            }
            if (section.Items.Count > 0) html.Append("</ul>");
            if (section.Note is not null) html.Append("<p>").Append(e.Encode(section.Note)).Append("</p>");
            if (section.Link is not null)
                html.Append("<p><a href=\"").Append(e.Encode(section.Link)).Append("\">").Append(e.Encode(section.LinkLabel ?? section.Link)).Append("</a></p>");
        }
        html.Append("<hr><p style=\"font-size:13px;color:#555\">").Append(e.Encode(letter.Footer)).Append("<br><a href=\"")
            .Append(e.Encode(letter.StopLink)).Append("\">").Append(e.Encode(letter.StopLabel)).Append("</a></p></body></html>");
        return html.ToString();
    }
}
