namespace Marketplace.Web.Infrastructure;

/// <summary>
/// Settings under <c>Privacy:</c>: the person in charge of the protection of personal information (Law 25, s. 3.1),
/// named on the privacy page and in every email footer, and the facts the privacy notice and the governance page state
/// about this deployment (who runs it, where the data is kept, which relay carries the email). The operator must set
/// them before going live: Production refuses to start while the person in charge is a placeholder or the hosting
/// location is not stated (<see cref="ProductionProblems"/>).
/// </summary>
public sealed class PrivacyOptions
{
    public const string Section = "Privacy";
    public const string PlaceholderName = "Personne responsable à désigner";
    public const string PlaceholderEmail = "vie-privee@panier.invalid";

    public string OfficerName { get; set; } = PlaceholderName;
    /// <summary>The person's title as the operator writes it; empty: the page's own wording, in its language.</summary>
    public string OfficerTitle { get; set; } = "";
    public string OfficerEmail { get; set; } = PlaceholderEmail;
    /// <summary>Version of the terms and privacy policy (a date): a new one asks signed-in people to read the notice again.</summary>
    public string PolicyVersion { get; set; } = "2026-12-06";
    /// <summary>The organization that runs the site and decides what it does with personal information.</summary>
    public string Operator { get; set; } = "";
    /// <summary>Where the database, the search index and the files are kept (city, province, country, host).</summary>
    public string HostingLocation { get; set; } = "";
    /// <summary>The service that relays the site's email, and where it processes it (e.g. « SendGrid (Twilio), États-Unis »).</summary>
    public string EmailRelay { get; set; } = "";
    /// <summary>True when the relay or the hosting is outside Québec (s. 17: an assessment and a written agreement come first).</summary>
    public bool TransfersOutsideQuebec { get; set; }

    public bool OfficerIsPlaceholder =>
        string.IsNullOrWhiteSpace(OfficerName) || OfficerName.Trim() == PlaceholderName
        || string.IsNullOrWhiteSpace(OfficerEmail) || OfficerEmail.Trim().EndsWith(".invalid", StringComparison.OrdinalIgnoreCase);

    /// <summary>What Production cannot start without, each naming its setting (empty when everything is set).</summary>
    public IReadOnlyList<string> ProductionProblems()
    {
        var problems = new List<string>();
        if (OfficerIsPlaceholder)
            problems.Add("Privacy:OfficerName and Privacy:OfficerEmail (Privacy__OfficerName, Privacy__OfficerEmail) must name the person in charge of personal information (Law 25, s. 3.1), not the placeholder.");
        if (string.IsNullOrWhiteSpace(HostingLocation))
            problems.Add("Privacy:HostingLocation (Privacy__HostingLocation) must say where the data is kept: the privacy notice states it.");
        if (string.IsNullOrWhiteSpace(Operator))
            problems.Add("Privacy:Operator (Privacy__Operator) must name the organization that runs the site: the privacy notice states it.");
        return problems;
    }
}
