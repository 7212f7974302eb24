using System.Text;
using System.Text.RegularExpressions;

namespace Marketplace.Tests.Support;

/// <summary>
/// What the real SMTP server (aiosmtpd in the run's container: TestServices) received: its Maildir read back, each message with its
/// headers (unfolded, encoded words decoded) and its text and HTML parts decoded (base64 or quoted-printable).
/// </summary>
public static partial class Mailbox
{
    public sealed record Message(string Raw, IReadOnlyDictionary<string, string> Headers, string Text, string Html)
    {
        public string To => Headers.GetValueOrDefault("To", "");
        public string Subject => Headers.GetValueOrDefault("Subject", "");
        public string MessageId => Headers.GetValueOrDefault("Message-ID", "");
    }

    /// <summary>How a French digest's subject names its week: « semaine du 16 novembre 2026 » for 2026-W47.</summary>
    public static string Week(string period) =>
        "semaine du " + Marketplace.Web.Features.Digests.DigestPeriods.Monday(period).ToString("d MMMM yyyy", System.Globalization.CultureInfo.GetCultureInfo("fr-CA"));

    /// <summary>Where the site and the tests send email: the SMTP server's host and port.</summary>
    public static string SmtpHost => TestServices.Smtp.Host;

    public static int SmtpPort => TestServices.Smtp.Port;

    /// <summary>The Maildir folder where every message the server accepted lands, as it arrived.</summary>
    public static string Directory => Path.Combine(TestServices.Smtp.Maildir, "new");

    /// <summary>The messages whose To header contains <paramref name="addressPart"/>.</summary>
    public static IReadOnlyList<Message> For(string addressPart) =>
        System.IO.Directory.Exists(Directory)
            ? System.IO.Directory.GetFiles(Directory).Select(Read).Where(m => m.To.Contains(addressPart, StringComparison.OrdinalIgnoreCase)).ToList()
            : [];

    /// <summary>How many messages arrived for an address part, counting raw files only (cheap, for polling).</summary>
    public static int Count(string addressPart) =>
        System.IO.Directory.Exists(Directory)
            ? System.IO.Directory.GetFiles(Directory).Count(f => { try { return File.ReadAllText(f).Contains(addressPart); } catch (IOException) { return false; } })
            : 0;

    public static Message Read(string path)
    {
        var raw = File.ReadAllText(path).Replace("\r\n", "\n");
        var split = raw.IndexOf("\n\n", StringComparison.Ordinal);
        var headers = Headers(raw[..split]);
        var body = raw[(split + 2)..];
        string text = "", html = "";
        var boundary = Regex.Match(headers.GetValueOrDefault("Content-Type", ""), "boundary=\"?([^\";]+)\"?").Groups[1].Value;
        foreach (var part in boundary.Length > 0 ? body.Split("--" + boundary) : [raw])
        {
            var partSplit = part.IndexOf("\n\n", StringComparison.Ordinal);
            if (partSplit < 0) continue;
            var partHeaders = Headers(part[..partSplit].TrimStart('\n'));
            var content = Decode(part[(partSplit + 2)..], partHeaders.GetValueOrDefault("Content-Transfer-Encoding", ""));
            var type = partHeaders.GetValueOrDefault("Content-Type", "");
            if (type.StartsWith("text/plain")) text = content;
            else if (type.StartsWith("text/html")) html = content;
        }
        return new Message(raw, headers, text, html);
    }

    private static Dictionary<string, string> Headers(string block)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in Regex.Replace(block, @"\n[ \t]+", " ").Split('\n'))
        {
            var colon = line.IndexOf(':');
            if (colon <= 0) continue;
            headers[line[..colon].Trim()] = EncodedWords(line[(colon + 1)..].Trim());
        }
        return headers;
    }

    private static string EncodedWords(string value) =>
        EncodedWord().Replace(value.Replace("?= =?", "?==?"), m => m.Groups[2].Value.ToUpperInvariant() == "B"
            ? Encoding.UTF8.GetString(Convert.FromBase64String(m.Groups[3].Value))
            : QuotedPrintable(m.Groups[3].Value.Replace('_', ' ')));

    private static string Decode(string content, string encoding) => encoding.ToLowerInvariant() switch
    {
        "base64" => Encoding.UTF8.GetString(Convert.FromBase64String(Regex.Replace(content.Trim().TrimEnd('-').Trim(), @"\s", ""))),
        "quoted-printable" => QuotedPrintable(content.Replace("=\n", "")),
        _ => content,
    };

    private static string QuotedPrintable(string text)
    {
        var bytes = new List<byte>();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '=' && i + 2 < text.Length + 0 && i + 2 <= text.Length - 1 && Uri.IsHexDigit(text[i + 1]) && Uri.IsHexDigit(text[i + 2]))
            {
                bytes.Add(Convert.ToByte(text.Substring(i + 1, 2), 16));
                i += 2;
            }
            else bytes.AddRange(Encoding.UTF8.GetBytes(text[i].ToString()));
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    [GeneratedRegex(@"=\?([^?]+)\?([BbQq])\?([^?]*)\?=")]
    private static partial Regex EncodedWord();
}
