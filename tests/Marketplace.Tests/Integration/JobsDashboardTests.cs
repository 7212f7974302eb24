using System.Net;
using Hangfire;
using Hangfire.Storage;
using Marketplace.Tests.Support;
using Marketplace.Web.Infrastructure.Cli;
using Marketplace.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Marketplace.Tests.Integration;

/// <summary>
/// Hangfire's dashboard under /admin/hangfire: only an admin with two-factor authentication gets anything from it, its
/// JSON and POST routes included; everyone else is sent to sign in, gets the site's 404, or (an admin without 2FA) 403.
/// Its POSTs keep the site's antiforgery check.
/// </summary>
[TestFixture(DatabaseProvider.Sqlite)]
[TestFixture(DatabaseProvider.Postgres)]
public sealed class JobsDashboardTests(DatabaseProvider provider)
{
    private MarketplaceFactory _factory = null!;
    private readonly Dictionary<string, Browsing> _people = [];

    [OneTimeSetUp]
    public async Task Start()
    {
        _factory = await MarketplaceFactory.StartAsync(provider, new Dictionary<string, string>
        {
            ["Jobs:Enabled"] = "true", ["Jobs:WarmUpMatching"] = "false",
        });
        _people["anonymous"] = new Browsing(_factory);
        _people["nonprofit"] = await CurationJourneyTests.SignUpAsync(_factory, "obnl-hf@exemple.invalid", "Maison de quartier", "Nonprofit");
        _people["provider"] = await CurationJourneyTests.SignUpAsync(_factory, "fournisseur-hf@exemple.invalid", "Fournisseur", "Provider");
        _people["curator"] = await CurationJourneyTests.CuratorAsync(_factory, "verif-hf@exemple.invalid");
        _people["adminWithout2fa"] = await AdminWithoutTwoFactorAsync("admin-sans-2fa@exemple.invalid");
        _people["admin"] = await CurationJourneyTests.CuratorAsync(_factory, "admin-hf@exemple.invalid", "admin");
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        foreach (var person in _people.Values) person.Dispose();
        await _factory.DisposeAsync();
    }

    /// <summary>An admin account, signed in with its password, that never set up two-factor authentication.</summary>
    private async Task<Browsing> AdminWithoutTwoFactorAsync(string email)
    {
        using var output = new StringWriter();
        Assert.That(await CommandLine.RunAsync(_factory.Services, ["users", "add", "--email", email, "--role", "admin"], output, CancellationToken.None), Is.Zero);
        var link = new Uri(output.ToString().Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith("http")));
        var browsing = new Browsing(_factory);
        var (_, form) = await browsing.GetAsync(link.PathAndQuery);
        await browsing.SubmitAsync(form, "form.stacked-form",
            new Dictionary<string, string> { ["Password"] = CurationJourneyTests.Password, ["Confirmation"] = CurationJourneyTests.Password });
        await CurationJourneyTests.SignInAsync(browsing, email, CurationJourneyTests.Password);
        // The site's own admin pages send this admin to set up 2FA first.
        var (jobs, _) = await browsing.GetAsync("/fr/admin/taches");
        jobs.IsRedirectTo("/fr/compte/double-authentification");
        return browsing;
    }

    private static readonly string[] Reads =
        ["/admin/hangfire", "/admin/hangfire/jobs/enqueued", "/admin/hangfire/jobs/failed", "/admin/hangfire/recurring", "/admin/hangfire/servers"];

    [TestCase("anonymous")]
    [TestCase("nonprofit")]
    [TestCase("provider")]
    [TestCase("curator")]
    [TestCase("adminWithout2fa")]
    public async Task Nobody_but_an_admin_with_two_factor_gets_anything_from_the_dashboard(string person)
    {
        var browsing = _people[person];
        var expected = person switch
        {
            "anonymous" => HttpStatusCode.Redirect, // to the sign-in page
            "adminWithout2fa" => HttpStatusCode.Forbidden,
            _ => HttpStatusCode.NotFound, // the page does not exist for them, as the other admin pages
        };
        foreach (var path in Reads)
        {
            var response = await browsing.Http.GetAsync(path);
            var body = await response.Content.ReadAsStringAsync();
            Assert.That(response.StatusCode, Is.EqualTo(expected), path);
            if (expected == HttpStatusCode.Redirect) response.IsRedirectTo("/fr/connexion");
            Assert.That(body, Does.Not.Contain("hangfireConfig").And.Not.Contain("Hangfire Dashboard").And.Not.Contain("recurring-job"), path);
        }

        // The JSON statistics and the POST routes: nothing read, nothing done, with a valid antiforgery token of the site.
        var (_, settings) = await browsing.GetAsync("/fr/connexion");
        var token = settings.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        var before = LastExecution("retention");
        foreach (var (path, form) in new (string, Dictionary<string, string>)[]
                 {
                     ("/admin/hangfire/stats", new() { ["metrics[]"] = "servers:count" }),
                     ("/admin/hangfire/recurring/trigger", new() { ["jobs[]"] = "retention" }),
                     ("/admin/hangfire/recurring/remove", new() { ["jobs[]"] = "digest" }),
                 })
        {
            form["__RequestVerificationToken"] = token;
            var response = await browsing.Http.PostAsync(path, new FormUrlEncodedContent(form));
            var body = await response.Content.ReadAsStringAsync();
            Assert.That(response.StatusCode, Is.EqualTo(expected), path);
            Assert.That(body, Does.Not.Contain("servers:count"), path);
        }
        await Task.Delay(1500); // a queued job would have started by now (queue polled every second)
        Assert.That(LastExecution("retention"), Is.EqualTo(before), "the recurring job was not triggered");
        Assert.That(await _factory.WithDbAsync(db => db.JobRuns.CountAsync(r => r.Job == "retention")), Is.Zero);
        Assert.That(RecurringIds(), Does.Contain("digest"), "the recurring job was not removed");
    }

    [Test]
    public async Task An_admin_with_two_factor_gets_the_dashboard_and_its_posts_need_the_antiforgery_token()
    {
        var admin = _people["admin"];
        var (response, page) = await admin.GetAsync("/admin/hangfire/recurring");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(page.Body!.TextContent, Does.Contain("matching").And.Contain("digest").And.Contain("retention"));
        var header = page.QuerySelector("meta[name=csrf-header]")?.GetAttribute("content");
        var token = page.QuerySelector("meta[name=csrf-token]")?.GetAttribute("content");
        Assert.That(header, Is.Not.Null.And.Not.Empty, "the dashboard's pages carry the site's antiforgery token");
        Assert.That(token, Is.Not.Null.And.Not.Empty);

        // Its CSP allows its inline style attributes, on its path only; it has no inline script, so scripts stay 'self'.
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.That(csp, Does.Contain("style-src 'self' 'unsafe-inline'").And.Contain("script-src 'self';").And.Contain("frame-ancestors 'none'"));
        Assert.That(page.QuerySelectorAll("script").Where(e => e.GetAttribute("src") is null).Select(e => e.TextContent), Is.Empty);
        var (siteResponse, _) = await admin.GetAsync("/fr/admin/taches");
        Assert.That(siteResponse.Headers.GetValues("Content-Security-Policy").Single(), Does.Not.Contain("unsafe-inline"));

        // The JSON statistics the pages poll.
        var stats = new HttpRequestMessage(HttpMethod.Post, "/admin/hangfire/stats")
        {
            Content = new FormUrlEncodedContent([new("metrics[]", "servers:count")]),
        };
        stats.Headers.Add(header!, token);
        var json = await admin.Http.SendAsync(stats);
        Assert.That(json.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await json.Content.ReadAsStringAsync(), Does.Contain("servers:count"));

        // Without the token, a POST is refused and changes nothing.
        var refused = await admin.Http.PostAsync("/admin/hangfire/recurring/remove", new FormUrlEncodedContent([new("jobs[]", "retention")]));
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(RecurringIds(), Does.Contain("retention"));

        // The French job page links to it.
        var (_, jobs) = await admin.GetAsync("/fr/admin/taches");
        Assert.That(jobs.QuerySelector("a.jobs-dashboard")?.GetAttribute("href"), Is.EqualTo("/admin/hangfire"));
    }

    private DateTime? LastExecution(string id)
    {
        using var connection = _factory.Services.GetRequiredService<JobStorage>().GetConnection();
        return connection.GetRecurringJobs([id]).Single().LastExecution;
    }

    private List<string> RecurringIds()
    {
        using var connection = _factory.Services.GetRequiredService<JobStorage>().GetConnection();
        return connection.GetRecurringJobs().Where(r => !r.Removed).Select(r => r.Id).ToList();
    }
}
