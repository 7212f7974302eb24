using System.Net;
using System.Text.Json.Nodes;
using Marketplace.Tests.Support;
using Marketplace.Web.Infrastructure.Data;
using Marketplace.Web.Infrastructure.Email;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Marketplace.Tests.Integration;

/// <summary>
/// <c>Email:Transport=SendGrid</c> (issue 15): the outbox sends through SendGrid's SDK to a local server that plays
/// SendGrid's v3 API; what the SDK sent is read back as JSON. 429 and 5xx are retried by the outbox, a 400 fails for good.
/// </summary>
[TestFixture(DatabaseProvider.Sqlite)]
[TestFixture(DatabaseProvider.Postgres)]
public sealed class SendGridTransportTests(DatabaseProvider provider)
{
    private const string ApiKey = "SG.test-key.for-the-local-server";
    private MarketplaceFactory _factory = null!;
    private FakeSendGrid _sendGrid = null!;
    private readonly MovableTime _time = new(new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero));

    [OneTimeSetUp]
    public async Task Start()
    {
        _sendGrid = new FakeSendGrid();
        _factory = await MarketplaceFactory.StartAsync(provider, new Dictionary<string, string>
        {
            ["Email:Transport"] = "SendGrid",
            ["Email:SendGrid:ApiKey"] = ApiKey,
            ["Email:SendGrid:Host"] = _sendGrid.Host,
            ["Email:From"] = "Panier de services numériques <no-reply@panier.invalid>",
        });
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        await _factory.DisposeAsync();
        _sendGrid.Dispose();
    }

    private async Task<OutboxEmail> EnqueueAsync(OutboxEmail email)
    {
        await _factory.WithScopeAsync(async sp =>
        {
            var db = sp.GetRequiredService<MarketplaceDbContext>();
            await db.OutboxEmails.ExecuteDeleteAsync(); // only this test's email is due
            db.OutboxEmails.Add(email);
            await db.SaveChangesAsync();
        });
        return email;
    }

    /// <summary>The site's own transport (from its settings), on the test's clock.</summary>
    private Task<(int Sent, int Failed)> DeliverAsync() =>
        _factory.WithScopeAsync(sp => new OutboxDelivery(sp.GetRequiredService<MarketplaceDbContext>(), sp.GetRequiredService<IEmailTransport>(), _time,
            sp.GetRequiredService<IOptions<EmailOptions>>(), NullLogger<OutboxDelivery>.Instance).DeliverDueAsync(100, CancellationToken.None));

    private Task<OutboxEmail> RowAsync(long id) => _factory.WithDbAsync(db => db.OutboxEmails.AsNoTracking().SingleAsync(e => e.Id == id));

    private OutboxEmail Digest(string to) =>
        OutboxEmail.Digest(Guid.NewGuid().ToString(), "2026-W50", to, "Votre résumé « Atelier » de la semaine", "Bonjour,\nTrois fournisseurs.\n",
            "<p>Bonjour,</p><p>Trois <strong>fournisseurs</strong>.</p>", "fr", $"<{Guid.NewGuid():N}@panier.invalid>",
            "https://panier.example/fr/desabonnement?t=jeton", _time.GetUtcNow());

    [Test]
    public async Task The_site_sends_through_the_sendgrid_sdk_with_the_kind_as_category_the_outbox_id_and_the_unsubscribe_headers()
    {
        Assert.That(_factory.Services.GetRequiredService<IEmailTransport>(), Is.InstanceOf<SendGridEmailTransport>());
        _sendGrid.Answer(202);
        var email = await EnqueueAsync(Digest($"{provider.ToString().ToLowerInvariant()}-resume@exemple.invalid"));

        Assert.That(await DeliverAsync(), Is.EqualTo((1, 0)));

        var request = _sendGrid.For(email.Id).Single();
        Assert.That((request.Method, request.Path), Is.EqualTo(("POST", "/v3/mail/send")));
        Assert.That(request.Authorization, Is.EqualTo("Bearer " + ApiKey));
        var json = request.Json;
        Assert.That(json["from"]!["email"]!.GetValue<string>(), Is.EqualTo("no-reply@panier.invalid"));
        Assert.That(json["from"]!["name"]!.GetValue<string>(), Is.EqualTo("Panier de services numériques"));
        Assert.That(json["personalizations"]!.AsArray().Single()!["to"]!.AsArray().Single()!["email"]!.GetValue<string>(), Is.EqualTo(email.To));
        Assert.That(json["subject"]!.GetValue<string>(), Is.EqualTo("Votre résumé « Atelier » de la semaine"));
        var content = json["content"]!.AsArray().Select(c => (c!["type"]!.GetValue<string>(), c["value"]!.GetValue<string>())).ToList();
        Assert.That(content, Is.EqualTo(new[] { ("text/plain", email.TextBody), ("text/html", email.HtmlBody) }), "text first, then HTML");
        Assert.That(json["categories"]!.AsArray().Select(c => c!.GetValue<string>()), Is.EqualTo(new[] { EmailKinds.Digest }));
        Assert.That(json["custom_args"]!["outbox_id"]!.GetValue<string>(), Is.EqualTo(email.Id.ToString()));
        var headers = json["headers"]!.AsObject();
        Assert.That(headers["List-Unsubscribe"]!.GetValue<string>(), Is.EqualTo("<https://panier.example/fr/desabonnement?t=jeton>"));
        Assert.That(headers["List-Unsubscribe-Post"]!.GetValue<string>(), Is.EqualTo("List-Unsubscribe=One-Click"));
        Assert.That(headers["Message-ID"]!.GetValue<string>(), Is.EqualTo(email.MessageId));
        Assert.That(headers["Content-Language"]!.GetValue<string>(), Is.EqualTo("fr-CA"));
        Assert.That(json["reply_to"], Is.Null, "no reply-to, as over SMTP");
        var tracking = json["tracking_settings"]!;
        Assert.That((tracking["click_tracking"]!["enable"]!.GetValue<bool>(), tracking["open_tracking"]!["enable"]!.GetValue<bool>(),
            tracking["subscription_tracking"]!["enable"]!.GetValue<bool>()), Is.EqualTo((false, false, false)), "no tracking added by SendGrid");

        var row = await RowAsync(email.Id);
        Assert.That(row.SentAt, Is.EqualTo(_time.GetUtcNow()));
        Assert.That(await DeliverAsync(), Is.EqualTo((0, 0)), "a sent email is never sent again");
        Assert.That(_sendGrid.For(email.Id), Has.Count.EqualTo(1));
    }

    [TestCase(429)]
    [TestCase(500)]
    [TestCase(503)]
    public async Task A_429_or_a_5xx_leaves_the_email_pending_and_the_outbox_retries_it_later(int status)
    {
        var email = await EnqueueAsync(EmailBodies.Compose($"reessai-{status}@exemple.invalid", "Votre fiche est publiée", ["Bonjour."], "Voir", "https://panier.example/fr",
            "Pied", "fr", "panier.invalid", _time.GetUtcNow(), EmailKinds.Member));
        _sendGrid.Answer(status, """{"errors":[{"message":"Too many requests, or the server is busy"}]}""");

        Assert.That(await DeliverAsync(), Is.EqualTo((0, 1)));
        var row = await RowAsync(email.Id);
        Assert.That(row.SentAt, Is.Null);
        Assert.That(row.Failed, Is.False, "transient: still pending");
        Assert.That(row.Attempts, Is.EqualTo(1));
        Assert.That(row.NextAttemptAt, Is.EqualTo(_time.GetUtcNow().AddMinutes(1)), "the outbox's back-off, as for SMTP errors");
        Assert.That(row.LastError, Does.Contain($"SendGrid {status}"));
        Assert.That(await DeliverAsync(), Is.EqualTo((0, 0)), "not before its next attempt");

        _sendGrid.Answer(202);
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.That(await DeliverAsync(), Is.EqualTo((1, 0)));
        Assert.That((await RowAsync(email.Id)).SentAt, Is.Not.Null);
        Assert.That(_sendGrid.For(email.Id), Has.Count.EqualTo(2));
    }

    [Test]
    public async Task A_400_fails_the_email_for_good_and_the_admins_email_page_shows_sendgrids_message()
    {
        var address = $"refus-{provider.ToString().ToLowerInvariant()}@exemple.invalid";
        var email = await EnqueueAsync(EmailBodies.Compose(address, "Votre fiche est publiée", ["Bonjour."], "Voir", "https://panier.example/fr",
            "Pied", "fr", "panier.invalid", _time.GetUtcNow(), EmailKinds.Member));
        _sendGrid.Answer(400, """{"errors":[{"message":"The from address does not match a verified Sender Identity.","field":"from","help":null}]}""");
        _factory.Logs.Reset();

        Assert.That(await DeliverAsync(), Is.EqualTo((0, 1)));
        var row = await RowAsync(email.Id);
        Assert.That(row.Failed, Is.True, "a 400 is never tried again by itself");
        Assert.That(row.LastError, Is.EqualTo("SendGrid 400: The from address does not match a verified Sender Identity. (from)"));
        _time.Advance(TimeSpan.FromHours(3));
        _sendGrid.Answer(202);
        Assert.That(await DeliverAsync(), Is.EqualTo((0, 0)));
        Assert.That(_sendGrid.For(email.Id), Has.Count.EqualTo(1));
        Assert.That(_factory.Logs.Entries, Has.None.Contains(address), "no address in the logs");

        using var admin = await CurationJourneyTests.CuratorAsync(_factory, $"admin-sg-{provider}@exemple.invalid".ToLowerInvariant(), "admin");
        var (response, page) = await admin.GetAsync("/fr/admin/courriels");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var line = page.QuerySelectorAll("#problems + table tbody tr").Single(r => r.TextContent.Contains(address));
        Assert.That(line.TextContent, Does.Contain("The from address does not match a verified Sender Identity."));
        Assert.That(line.QuerySelector(".email-state")!.TextContent, Does.Contain("en échec"));
    }

    [Test]
    public void Production_refuses_to_start_with_sendgrid_and_no_api_key()
    {
        using var factory = new MarketplaceFactory(_factory.Database, "Production",
            new Dictionary<string, string> { ["Email:Transport"] = "SendGrid", ["Marketplace:PublicBaseUrl"] = "https://panier.example" }, ownsDatabase: false);
        var error = Assert.Throws<InvalidOperationException>(() => _ = factory.Server);
        Assert.That(error!.Message, Does.Contain("Email:SendGrid:ApiKey").And.Contain("Email__SendGrid__ApiKey"));
    }
}
