using System.Net;
using Marketplace.Tests.Support;
using Marketplace.Web.Domain.Listings;
using Marketplace.Web.Infrastructure;
using Marketplace.Web.Infrastructure.Data;
using Marketplace.Web.Infrastructure.Email;
using Marketplace.Web.Infrastructure.Jobs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Marketplace.Tests.Integration;

/// <summary>
/// The email suppression list (issue 15): every transport honours it (the outbox never sends to a listed address and
/// records the row as suppressed), admins see it and lift an address (audited), and the retention job forgets old rows.
/// </summary>
[TestFixture(DatabaseProvider.Sqlite)]
[TestFixture(DatabaseProvider.Postgres)]
public sealed class SuppressionListTests(DatabaseProvider provider)
{
    private MarketplaceFactory _factory = null!;
    private FakeSendGrid _sendGrid = null!;
    private readonly MovableTime _time = new(new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero));

    [OneTimeSetUp]
    public async Task Start()
    {
        _sendGrid = new FakeSendGrid();
        _factory = await MarketplaceFactory.StartAsync(provider);
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        await _factory.DisposeAsync();
        _sendGrid.Dispose();
    }

    private OutboxEmail Email(string to) => EmailBodies.Compose(to, "Votre fiche est publiée", ["Bonjour."], "Voir", "https://panier.example/fr",
        "Pied", "fr", "panier.invalid", _time.GetUtcNow(), EmailKinds.Member);

    private Task AddAsync(params object[] rows) => _factory.WithScopeAsync(async sp =>
    {
        var db = sp.GetRequiredService<MarketplaceDbContext>();
        foreach (var row in rows) db.Add(row);
        await db.SaveChangesAsync();
    });

    private Task<(int Sent, int Failed)> DeliverAsync(IEmailTransport transport) =>
        _factory.WithScopeAsync(sp => new OutboxDelivery(sp.GetRequiredService<MarketplaceDbContext>(), transport, _time,
            Options.Create(new EmailOptions()), NullLogger<OutboxDelivery>.Instance).DeliverDueAsync(100, CancellationToken.None));

    private static IEnumerable<string> Transports() => ["Files", "Smtp", "SendGrid"];

    [TestCaseSource(nameof(Transports))]
    public async Task No_transport_sends_to_a_suppressed_address_and_the_outbox_records_the_email_as_suppressed(string kind)
    {
        var tag = $"{kind.ToLowerInvariant()}-{provider.ToString().ToLowerInvariant()}";
        await _factory.WithDbAsync(db => db.OutboxEmails.ExecuteDeleteAsync());
        // Listed in lower case by the webhook; the email was written with capitals and spaces.
        await AddAsync(new EmailSuppression($"bloque-{tag}@exemple.invalid", SuppressionReason.Bounce, "ev-1", _time.GetUtcNow()));
        var blocked = Email($" Bloque-{tag.ToUpperInvariant()}@Exemple.invalid");
        var allowed = Email($"permis-{tag}@exemple.invalid");
        await AddAsync(blocked, allowed);
        var mailDirectory = Path.Combine(_factory.Database.DataDirectory, "mail");
        IEmailTransport transport = kind switch
        {
            "Files" => new FileEmailTransport(Options.Create(new MarketplaceOptions { DataDirectory = _factory.Database.DataDirectory }), Options.Create(new EmailOptions())),
            "Smtp" => new SmtpEmailTransport(Options.Create(new EmailOptions { SmtpHost = "127.0.0.1", SmtpPort = Mailbox.SmtpPort })),
            _ => new SendGridEmailTransport(Options.Create(new EmailOptions { SendGrid = new SendGridOptions { ApiKey = "SG.test", Host = _sendGrid.Host } })),
        };

        Assert.That(await DeliverAsync(transport), Is.EqualTo((1, 0)), "only the allowed address");
        Assert.That(await DeliverAsync(transport), Is.EqualTo((0, 0)), "a suppressed email is never tried again");

        var rows = await _factory.WithDbAsync(db => db.OutboxEmails.AsNoTracking().ToDictionaryAsync(e => e.Id));
        Assert.That(rows[blocked.Id].SuppressedAt, Is.EqualTo(_time.GetUtcNow()));
        Assert.That((rows[blocked.Id].SentAt, rows[blocked.Id].Attempts, rows[blocked.Id].LastError), Is.EqualTo(((DateTimeOffset?)null, 0, "Suppressed: Bounce")));
        Assert.That(rows[allowed.Id].SentAt, Is.Not.Null);
        Assert.That(rows[allowed.Id].SuppressedAt, Is.Null);
        var delivered = kind switch
        {
            "Files" => Directory.GetFiles(mailDirectory, "*.eml").Select(File.ReadAllText).Where(m => m.Contains(tag, StringComparison.OrdinalIgnoreCase))
                .Select(m => m.Contains(blocked.MessageId) ? "blocked" : m.Contains(allowed.MessageId) ? "allowed" : "other").ToList(),
            "Smtp" => Mailbox.For(tag).Select(m => m.MessageId == blocked.MessageId ? "blocked" : m.MessageId == allowed.MessageId ? "allowed" : "other").ToList(),
            _ => _sendGrid.For(blocked.Id).Select(_ => "blocked").Concat(_sendGrid.For(allowed.Id).Select(_ => "allowed")).ToList(),
        };
        Assert.That(delivered, Is.EqualTo(new[] { "allowed" }));
        if (transport is IDisposable disposable) disposable.Dispose();
    }

    [Test]
    public async Task Admins_see_the_list_add_an_address_and_lift_one_with_an_audited_post()
    {
        var address = $"liste-{provider.ToString().ToLowerInvariant()}@exemple.invalid";
        await AddAsync(new EmailSuppression(address, SuppressionReason.SpamReport, "ev-spam-42", _time.GetUtcNow()));
        using var admin = await CurationJourneyTests.CuratorAsync(_factory, $"admin-liste-{provider}@exemple.invalid".ToLowerInvariant(), "admin");

        var (response, page) = await admin.GetAsync("/fr/admin/courriels?q=liste-");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var line = page.QuerySelectorAll("#suppressions ~ table tbody tr").Single(r => r.TextContent.Contains(address));
        Assert.That(line.TextContent, Does.Contain("signalé comme indésirable").And.Contain("ev-spam-42"));
        var (english, englishPage) = await admin.GetAsync("/en/admin/emails?q=liste-");
        Assert.That(english.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(englishPage.QuerySelector("h1")!.TextContent, Is.EqualTo("Emails"));
        Assert.That(englishPage.QuerySelectorAll("#suppressions ~ table tbody tr").Single(r => r.TextContent.Contains(address)).TextContent, Does.Contain("reported as spam"));

        var id = await _factory.WithDbAsync(db => db.EmailSuppressions.Where(s => s.Address == address).Select(s => s.Id).SingleAsync());
        var liftForm = $"form[action$='/blocages/{id}/lever']";
        var (refused, _) = await admin.SubmitAsync(page, liftForm, withToken: false);
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), "antiforgery is checked");
        Assert.That(await _factory.WithDbAsync(db => db.EmailSuppressions.AnyAsync(s => s.Id == id)), Is.True);

        var (lifted, _) = await admin.SubmitAsync(page, liftForm);
        lifted.IsRedirectTo("/fr/admin/courriels");
        Assert.That(await _factory.WithDbAsync(db => db.EmailSuppressions.AnyAsync(s => s.Address == address)), Is.False);
        var audit = await _factory.WithDbAsync(db => db.AuditEntries.AsNoTracking().Where(a => a.Action == AuditAction.SuppressionLifted)
            .OrderByDescending(a => a.Id).FirstAsync());
        Assert.That(audit.Reason, Is.EqualTo($"suppression:{id} (SpamReport, ev-spam-42)"));
        Assert.That(audit.Reason, Does.Not.Contain(address), "the audit, kept for years, never holds the address");

        var (added, _) = await admin.SubmitAsync(page, "form[action$='/admin/courriels/blocages']", new Dictionary<string, string> { ["address"] = "  Ajout@Exemple.invalid " });
        added.IsRedirectTo("/fr/admin/courriels");
        Assert.That(await _factory.WithDbAsync(db => db.EmailSuppressions.Where(s => s.Address == "ajout@exemple.invalid").Select(s => s.Reason).SingleAsync()),
            Is.EqualTo(SuppressionReason.Admin));
        var (invalid, invalidPage) = await admin.SubmitAsync(page, "form[action$='/admin/courriels/blocages']", new Dictionary<string, string> { ["address"] = "pas une adresse" });
        Assert.That(invalid.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(invalidPage.QuerySelector(".alert, [role=alert]")?.TextContent ?? invalidPage.Body!.TextContent, Does.Contain("Entrez une adresse courriel valide"));
        await _factory.WithDbAsync(db => db.EmailSuppressions.Where(s => s.Address == "ajout@exemple.invalid").ExecuteDeleteAsync());
    }

    [Test]
    public async Task Retention_forgets_processed_events_after_30_days_and_suppressions_24_months_after_their_last_event()
    {
        var now = _time.GetUtcNow();
        await _factory.WithDbAsync(async db =>
        {
            await db.ProcessedEmailEvents.ExecuteDeleteAsync();
            return await db.EmailSuppressions.ExecuteDeleteAsync();
        });
        var old = new EmailSuppression($"ancienne-{provider}@exemple.invalid", SuppressionReason.Bounce, "ev-old", now.AddMonths(-30));
        var confirmed = new EmailSuppression($"confirmee-{provider}@exemple.invalid", SuppressionReason.Bounce, "ev-conf", now.AddMonths(-30));
        confirmed.Confirmed(now.AddMonths(-2)); // bounced again lately
        var recent = new EmailSuppression($"recente-{provider}@exemple.invalid", SuppressionReason.Dropped, "ev-new", now.AddMonths(-1));
        await AddAsync(old, confirmed, recent, new ProcessedEmailEvent("ev-31-days", now.AddDays(-31)), new ProcessedEmailEvent("ev-29-days", now.AddDays(-29)));

        var outcome = await _factory.WithScopeAsync(sp => sp.GetRequiredService<RetentionRun>().RunAsync(now, CancellationToken.None));

        Assert.That((outcome.EmailEventsDeleted, outcome.SuppressionsDeleted), Is.EqualTo((1, 1)));
        Assert.That(await _factory.WithDbAsync(db => db.ProcessedEmailEvents.Select(e => e.EventId).ToListAsync()), Is.EqualTo(new[] { "ev-29-days" }));
        Assert.That(await _factory.WithDbAsync(db => db.EmailSuppressions.OrderBy(s => s.Address).Select(s => s.Source).ToListAsync()),
            Is.EqualTo(new[] { "ev-conf", "ev-new" }));
    }
}
