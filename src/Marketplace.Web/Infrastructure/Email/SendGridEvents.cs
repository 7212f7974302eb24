using System.Globalization;
using System.Text.Json;
using Marketplace.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SendGrid.Helpers.EventWebhook;

namespace Marketplace.Web.Infrastructure.Email;

/// <summary>
/// SendGrid's Event Webhook (issue 15, ADR 0032): the signature check, then the events. Each event is handled once,
/// whatever how often SendGrid delivers it (its <c>sg_event_id</c> goes to <see cref="ProcessedEmailEvent"/>, unique);
/// bounces (not temporary blocks), drops, spam reports and unsubscribes put the address on the suppression list.
/// Other events (delivered, deferred, opens…) are acknowledged and ignored. One transaction per delivery.
/// </summary>
public sealed class SendGridEvents(MarketplaceDbContext db, TimeProvider time, IOptions<EmailOptions> options, ILogger<SendGridEvents> logger)
{
    public const string SignatureHeader = "X-Twilio-Email-Event-Webhook-Signature";
    public const string TimestampHeader = "X-Twilio-Email-Event-Webhook-Timestamp";
    private static readonly TimeSpan FutureSkew = TimeSpan.FromMinutes(5);

    public enum Verdict { Valid, NotConfigured, Refused }

    /// <summary>
    /// The SDK's check (<see cref="RequestValidator"/>: ECDSA P-256 over timestamp + payload), and the timestamp no older
    /// than <see cref="SendGridOptions.WebhookMaxAgeHours"/> (nor more than five minutes ahead). Anything malformed is
    /// refused, never thrown.
    /// </summary>
    public Verdict Verify(string payload, string? signature, string? timestamp)
    {
        var settings = options.Value.SendGrid;
        if (string.IsNullOrWhiteSpace(settings.WebhookPublicKey)) return Verdict.NotConfigured;
        if (string.IsNullOrWhiteSpace(signature) || string.IsNullOrWhiteSpace(timestamp)) return Verdict.Refused;
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds()) return Verdict.Refused;
        var at = DateTimeOffset.FromUnixTimeSeconds(seconds);
        var now = time.GetUtcNow();
        if (at < now - TimeSpan.FromHours(settings.WebhookMaxAgeHours) || at > now + FutureSkew) return Verdict.Refused;
        try
        {
            var validator = new RequestValidator();
            var key = validator.ConvertPublicKeyToECDSA(settings.WebhookPublicKey);
            return validator.VerifySignature(key, payload, signature, timestamp) ? Verdict.Valid : Verdict.Refused;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A signature or key the SDK cannot read (bad base64, bad DER, a point off the curve): not authentic.
            logger.LogWarning("SendGrid webhook: the signature could not be checked ({Error})", e.GetType().Name);
            return Verdict.Refused;
        }
    }

    /// <summary>One SendGrid event as this site reads it.</summary>
    public sealed record Event(string Id, string Type, string? Email, string? BounceType, DateTimeOffset? At);

    /// <summary>Null when the payload is not a JSON array of events (a 400).</summary>
    public static IReadOnlyList<Event>? Parse(string payload)
    {
        try
        {
            using var json = JsonDocument.Parse(payload);
            if (json.RootElement.ValueKind != JsonValueKind.Array) return null;
            var events = new List<Event>();
            foreach (var item in json.RootElement.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object) continue;
                var id = Text(item, "sg_event_id");
                var type = Text(item, "event");
                if (id is null || id.Length > ProcessedEmailEvent.EventIdMaxLength || type is null) continue;
                DateTimeOffset? at = item.TryGetProperty("timestamp", out var t) && t.ValueKind == JsonValueKind.Number && t.TryGetInt64(out var s)
                                     && s > 0 && s < 253402300799 ? DateTimeOffset.FromUnixTimeSeconds(s) : null;
                events.Add(new Event(id, type, Text(item, "email"), Text(item, "type"), at));
            }
            return events;
        }
        catch (JsonException)
        {
            return null;
        }

        static string? Text(JsonElement item, string name) =>
            item.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(value.GetString())
                ? value.GetString()!.Trim() : null;
    }

    /// <summary>What an event means for the suppression list; null: nothing.</summary>
    public static SuppressionReason? ReasonOf(Event e) => e.Type switch
    {
        // A « blocked » bounce is temporary (the receiving server refused for now); SendGrid does not suppress it either.
        "bounce" when !string.Equals(e.BounceType, "blocked", StringComparison.OrdinalIgnoreCase) => SuppressionReason.Bounce,
        "dropped" => SuppressionReason.Dropped,
        "spamreport" => SuppressionReason.SpamReport,
        "unsubscribe" => SuppressionReason.Unsubscribe,
        "group_unsubscribe" => SuppressionReason.GroupUnsubscribe,
        _ => null,
    };

    /// <summary>Records the events not seen before; returns how many new suppressions they made.</summary>
    public async Task<int> HandleAsync(IReadOnlyList<Event> events, CancellationToken cancellationToken)
    {
        // Two deliveries of the same events at once: the second commit breaks a unique index, and is done again (it then
        // finds everything recorded and changes nothing).
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await HandleOnceAsync(events, cancellationToken);
            }
            catch (DbUpdateException) when (attempt < 3)
            {
                db.ChangeTracker.Clear();
            }
        }
    }

    private async Task<int> HandleOnceAsync(IReadOnlyList<Event> events, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var fresh = events.DistinctBy(e => e.Id).ToList();
        if (fresh.Count == 0) return 0;
        var ids = fresh.Select(e => e.Id).ToArray();
        var seen = (await db.ProcessedEmailEvents.Where(p => EF.Parameter(ids).Contains(p.EventId)).Select(p => p.EventId)
            .ToListAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
        fresh.RemoveAll(e => seen.Contains(e.Id));
        if (fresh.Count == 0) return 0;

        var listing = fresh.Select(e => (Event: e, Reason: ReasonOf(e), Address: EmailSuppression.Normalize(e.Email)))
            .Where(x => x.Reason is not null && x.Address is not null).ToList();
        var addresses = listing.Select(x => x.Address!).Distinct().ToArray();
        var listed = await db.EmailSuppressions.Where(s => EF.Parameter(addresses).Contains(s.Address))
            .ToDictionaryAsync(s => s.Address, cancellationToken);
        var added = 0;
        foreach (var (e, reason, address) in listing)
        {
            var at = e.At ?? now;
            if (listed.TryGetValue(address!, out var existing)) existing.Confirmed(at);
            else
            {
                listed[address!] = db.EmailSuppressions.Add(new EmailSuppression(address!, reason!.Value, e.Id, at)).Entity;
                added++;
            }
        }
        foreach (var e in fresh) db.ProcessedEmailEvents.Add(new ProcessedEmailEvent(e.Id, now));
        await db.SaveChangesAsync(cancellationToken);
        // Counts only: no address in the log.
        logger.LogInformation("SendGrid webhook: {Events} new events, {Suppressions} new suppressions", fresh.Count, added);
        return added;
    }
}
