namespace Marketplace.Web.Infrastructure;

/// <summary>Settings under <c>Marketplace:</c>. Every local file the site writes lives under <see cref="DataDirectory"/>.</summary>
public sealed class MarketplaceOptions
{
    public const string Section = "Marketplace";

    /// <summary>SQLite file, emails written as files, data-protection keys. Default: <c>data/</c> under the content root.</summary>
    public string DataDirectory { get; set; } = "";

    /// <summary>
    /// The site's public address: every absolute link (emails, the API's <c>url</c> fields, the HTTPS redirect) starts
    /// with it, never with the request's Host header; outside Development and Testing its host is also the only one
    /// served unless <c>AllowedHosts</c> is set (ADR 0019).
    /// </summary>
    public string PublicBaseUrl { get; set; } = "http://localhost:5080";

    /// <summary><see cref="PublicBaseUrl"/> without a trailing slash, for « base + /path ».</summary>
    public string PublicOrigin => PublicBaseUrl.TrimEnd('/');

    /// <summary>Where seed-data/*.json is read from. Default: <c>seed-data/</c> beside the binaries (copied at build).</summary>
    public string SeedDataDirectory { get; set; } = "";

    /// <summary>Apply migrations and load seed-data (when the database is empty) at start-up.</summary>
    public bool InitializeDatabaseOnStartup { get; set; } = true;

    /// <summary>Requests per minute and client IP address allowed on the JSON API (fixed window), then 429.</summary>
    public int ApiRequestsPerMinute { get; set; } = 600;

    /// <summary>Requests per minute and client IP address on the HTML search pages (/fr/recherche, /en/search), then 429.</summary>
    public int SearchPagesPerMinute { get; set; } = 300;

    /// <summary>Requests per minute and client IP address on the sign-in, sign-up and password pages, then 429.</summary>
    public int AccountRequestsPerMinute { get; set; } = 20;

    /// <summary>
    /// IP addresses of reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed, besides loopback
    /// (which is always trusted).
    /// </summary>
    public string[] TrustedProxies { get; set; } = [];

    /// <summary>How many recent free-text matches each instance keeps for the current index version (0: none).</summary>
    public int SearchTextCacheEntries { get; set; } = 256;

    /// <summary>
    /// Where this instance keeps its search index; default <c>search-index</c> under <see cref="DataDirectory"/>. One per
    /// instance: two processes cannot share one (docs/search.md).
    /// </summary>
    public string SearchIndexDirectory { get; set; } = "";

    /// <summary>
    /// The French stemmer of the index: <c>light</c> (chosen by measuring the judged relevance set, docs/search.md) or
    /// <c>minimal</c>. Changing it rebuilds the index at the next start.
    /// </summary>
    public string SearchFrenchStemmer { get; set; } = "light";

    /// <summary>How often, in milliseconds, the instance looks for changes made elsewhere (the « within 2 s » of issue 13).</summary>
    public int SearchFollowIntervalMs { get; set; } = 250;

    /// <summary>
    /// How many search pages' results (cards and facets, per language and search), and as many provider pages, each
    /// instance keeps for the current search version (0: none). What they show only changes with the version (ADR 0025).
    /// </summary>
    public int SearchPageCacheEntries { get; set; } = 256;

    /// <summary>
    /// Development only: create one signed-in-ready demo account per role at start-up (<see cref="Seeding.DemoRoleAccounts"/>).
    /// Ignored in every other environment.
    /// </summary>
    public bool DemoAccounts { get; set; } = true;

    /// <summary>Development only: the demo accounts' password; empty means one generated per account and printed once.</summary>
    public string DemoPassword { get; set; } = "";
}

public sealed class DatabaseOptions
{
    public const string Section = "Database";

    public Data.DatabaseProvider Provider { get; set; } = Data.DatabaseProvider.Sqlite;
}
