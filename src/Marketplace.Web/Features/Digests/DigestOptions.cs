namespace Marketplace.Web.Features.Digests;

/// <summary>
/// Settings under <c>Digest:</c>: how much of what is new one digest shows. The rest is counted in the subject and in a
/// sentence, with a link to the page that lists it all.
/// </summary>
public sealed class DigestOptions
{
    public const string Section = "Digest";

    /// <summary>New providers shown for each request of a nonprofit, the best-ranked first.</summary>
    public int ProvidersPerRequest { get; set; } = 5;

    /// <summary>Requests with news shown to a nonprofit, and new requests shown to a provider (the best-ranked first).</summary>
    public int RequestsPerDigest { get; set; } = 10;
}
