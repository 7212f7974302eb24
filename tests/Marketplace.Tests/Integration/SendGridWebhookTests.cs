using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Marketplace.Tests.Support;
using Marketplace.Web.Infrastructure.Data;
using Marketplace.Web.Infrastructure.Email;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Tests.Integration;

/// <summary>
/// SendGrid's Event Webhook at <c>/webhooks/sendgrid</c> (issue 15): the tests sign their payloads with an ECDSA P-256
/// key pair they generate, as SendGrid does (base64 DER signature over timestamp + body; the site holds the public key
/// as base64 DER SubjectPublicKeyInfo). Unsigned, badly signed, tampered or stale requests get 401 and change nothing;
/// an event delivered twice is handled once.
/// </summary>
[TestFixture(DatabaseProvider.Sqlite)]
[TestFixture(DatabaseProvider.Postgres)]
public sealed class SendGridWebhookTests(DatabaseProvider provider)
{
    private MarketplaceFactory _factory = null!;
    private HttpClient _http = null!;
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsa _otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    [OneTimeSetUp]
    public async Task Start()
    {
        _factory = await MarketplaceFactory.StartAsync(provider, new Dictionary<string, string>
        {
            ["Email:SendGrid:WebhookPublicKey"] = Convert.ToBase64String(_key.ExportSubjectPublicKeyInfo()),
            ["Email:SendGrid:WebhookMaxBytes"] = "65536",
        });
        _http = _factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _http.Dispose();
        await _factory.DisposeAsync();
        _key.Dispose();
        _otherKey.Dispose();
    }

    [SetUp]
    public Task Clear() => _factory.WithDbAsync(async db =>
    {
        await db.ProcessedEmailEvents.ExecuteDeleteAsync();
        return await db.EmailSuppressions.ExecuteDeleteAsync();
    });

    private static string Now => DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    private static string Sign(ECDsa key, string timestamp, string payload) =>
        Convert.ToBase64String(key.SignData(Encoding.UTF8.GetBytes(timestamp + payload), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));

    private async Task<HttpStatusCode> PostAsync(string payload, string? signature, string? timestamp)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/sendgrid")
        {
            Content = new StringContent(payload, Encoding.UTF8, "application/json"),
        };
        if (signature is not null) request.Headers.Add("X-Twilio-Email-Event-Webhook-Signature", signature);
        if (timestamp is not null) request.Headers.Add("X-Twilio-Email-Event-Webhook-Timestamp", timestamp);
        using var response = await _http.SendAsync(request);
        return response.StatusCode;
    }

    private Task<HttpStatusCode> PostSignedAsync(string payload)
    {
        var timestamp = Now;
        return PostAsync(payload, Sign(_key, timestamp, payload), timestamp);
    }

    private static string Events(params object[] events) => JsonSerializer.Serialize(events);

    private static object Event(string id, string type, string email, string? bounceType = null) => bounceType is null
        ? new Dictionary<string, object> { ["sg_event_id"] = id, ["event"] = type, ["email"] = email, ["timestamp"] = 1765000000, ["outbox_id"] = "42" }
        : new Dictionary<string, object> { ["sg_event_id"] = id, ["event"] = type, ["email"] = email, ["timestamp"] = 1765000000, ["type"] = bounceType };

    private Task<List<(string Address, SuppressionReason Reason, string Source)>> SuppressionsAsync() =>
        _factory.WithDbAsync(db => db.EmailSuppressions.AsNoTracking().OrderBy(s => s.Address)
            .Select(s => new ValueTuple<string, SuppressionReason, string>(s.Address, s.Reason, s.Source)).ToListAsync());

    private Task<int> ProcessedAsync() => _factory.WithDbAsync(db => db.ProcessedEmailEvents.CountAsync());

    [Test]
    public async Task A_signed_bounce_puts_the_address_on_the_suppression_list_and_a_replay_changes_nothing()
    {
        var payload = Events(Event("ev-bounce-1", "bounce", "Rebond@Exemple.invalid", "bounce"), Event("ev-delivered-1", "delivered", "autre@exemple.invalid"));

        Assert.That(await PostSignedAsync(payload), Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await SuppressionsAsync(), Is.EqualTo(new[] { ("rebond@exemple.invalid", SuppressionReason.Bounce, "ev-bounce-1") }));
        Assert.That(await ProcessedAsync(), Is.EqualTo(2));
        var lastEvent = await _factory.WithDbAsync(db => db.EmailSuppressions.Select(s => s.LastEventAt).SingleAsync());

        // SendGrid delivers at least once: the same events again (freshly signed), and the same request replayed.
        Assert.That(await PostSignedAsync(payload), Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await SuppressionsAsync(), Has.Count.EqualTo(1));
        Assert.That(await ProcessedAsync(), Is.EqualTo(2));
        Assert.That(await _factory.WithDbAsync(db => db.EmailSuppressions.Select(s => s.LastEventAt).SingleAsync()), Is.EqualTo(lastEvent));
    }

    [Test]
    public async Task Unsigned_badly_signed_tampered_or_stale_requests_get_401_and_change_nothing()
    {
        var payload = Events(Event("ev-spam-1", "spamreport", "plainte@exemple.invalid"));
        var timestamp = Now;
        var signature = Sign(_key, timestamp, payload);
        var tampered = payload.Replace("plainte@", "quelquun@", StringComparison.Ordinal);
        var old = DateTimeOffset.UtcNow.AddDays(-4).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

        await Assert.MultipleAsync(async () =>
        {
            Assert.That(await PostAsync(payload, null, null), Is.EqualTo(HttpStatusCode.Unauthorized), "unsigned");
            Assert.That(await PostAsync(payload, signature, null), Is.EqualTo(HttpStatusCode.Unauthorized), "no timestamp");
            Assert.That(await PostAsync(payload, Sign(_otherKey, timestamp, payload), timestamp), Is.EqualTo(HttpStatusCode.Unauthorized), "another key");
            Assert.That(await PostAsync(tampered, signature, timestamp), Is.EqualTo(HttpStatusCode.Unauthorized), "tampered body");
            var later = (long.Parse(timestamp, CultureInfo.InvariantCulture) + 1).ToString(CultureInfo.InvariantCulture);
            Assert.That(await PostAsync(payload, signature, later), Is.EqualTo(HttpStatusCode.Unauthorized), "tampered timestamp");
            Assert.That(await PostAsync(payload, "pas une signature", timestamp), Is.EqualTo(HttpStatusCode.Unauthorized), "not base64");
            Assert.That(await PostAsync(payload, Convert.ToBase64String([0x30, 0x03, 0x02, 0x01, 0x00]), timestamp), Is.EqualTo(HttpStatusCode.Unauthorized), "broken DER");
            Assert.That(await PostAsync(payload, Sign(_key, old, payload), old), Is.EqualTo(HttpStatusCode.Unauthorized), "signed four days ago");
        });
        Assert.That(await SuppressionsAsync(), Is.Empty);
        Assert.That(await ProcessedAsync(), Is.Zero);

        Assert.That(await PostAsync(payload, signature, timestamp), Is.EqualTo(HttpStatusCode.OK), "the same request, untouched, passes");
        Assert.That(await SuppressionsAsync(), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Bounces_drops_spam_reports_and_unsubscribes_feed_the_list_but_a_temporary_block_or_a_delivery_does_not()
    {
        var payload = Events(
            Event("ev-a", "bounce", "a@exemple.invalid", "bounce"),
            Event("ev-b", "dropped", "b@exemple.invalid"),
            Event("ev-c", "spamreport", "c@exemple.invalid"),
            Event("ev-d", "unsubscribe", "d@exemple.invalid"),
            Event("ev-e", "group_unsubscribe", "e@exemple.invalid"),
            Event("ev-f", "bounce", "f@exemple.invalid", "blocked"),
            Event("ev-g", "delivered", "g@exemple.invalid"),
            Event("ev-h", "deferred", "h@exemple.invalid"),
            Event("ev-i", "bounce", "a@exemple.invalid", "bounce"));

        Assert.That(await PostSignedAsync(payload), Is.EqualTo(HttpStatusCode.OK));

        Assert.That(await SuppressionsAsync(), Is.EqualTo(new[]
        {
            ("a@exemple.invalid", SuppressionReason.Bounce, "ev-a"),
            ("b@exemple.invalid", SuppressionReason.Dropped, "ev-b"),
            ("c@exemple.invalid", SuppressionReason.SpamReport, "ev-c"),
            ("d@exemple.invalid", SuppressionReason.Unsubscribe, "ev-d"),
            ("e@exemple.invalid", SuppressionReason.GroupUnsubscribe, "ev-e"),
        }));
        Assert.That(await ProcessedAsync(), Is.EqualTo(9));
    }

    [Test]
    public async Task A_signed_body_that_is_not_a_list_of_events_gets_400_and_one_over_the_size_limit_gets_413()
    {
        Assert.That(await PostSignedAsync("""{"event":"bounce"}"""), Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await PostSignedAsync("[not json"), Is.EqualTo(HttpStatusCode.BadRequest));
        var huge = Events(Enumerable.Range(0, 2000).Select(i => Event($"ev-{i}", "delivered", $"x{i}@exemple.invalid")).ToArray());
        Assert.That(huge.Length, Is.GreaterThan(65536));
        Assert.That(await PostSignedAsync(huge), Is.EqualTo(HttpStatusCode.RequestEntityTooLarge));
        Assert.That(await ProcessedAsync(), Is.Zero);
    }

    [Test]
    public async Task Without_a_verification_key_the_webhook_does_not_exist()
    {
        await using var factory = new MarketplaceFactory(_factory.Database, settings: new Dictionary<string, string>(), ownsDatabase: false);
        using var http = factory.CreateClient();
        var payload = Events(Event("ev-x", "bounce", "x@exemple.invalid", "bounce"));
        var timestamp = Now;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/sendgrid") { Content = new StringContent(payload, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Twilio-Email-Event-Webhook-Signature", Sign(_key, timestamp, payload));
        request.Headers.Add("X-Twilio-Email-Event-Webhook-Timestamp", timestamp);
        using var response = await http.SendAsync(request);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(await ProcessedAsync(), Is.Zero);
    }
}
