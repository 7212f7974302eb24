using System.Text;
using Marketplace.Web.Infrastructure.Email;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Marketplace.Web.Features.Webhooks;

/// <summary>
/// SendGrid's Event Webhook (issue 15, ADR 0032). A machine's POST, authenticated by its ECDSA signature over the raw
/// body, not by a session: it carries no antiforgery token, so this one action is exempted (<c>[IgnoreAntiforgeryToken]</c>).
/// Unsigned, badly signed, tampered or stale requests get 401 and change nothing; without a configured verification key
/// the endpoint does not exist (404).
/// </summary>
[AllowAnonymous]
public sealed class SendGridWebhookController(SendGridEvents events, IOptions<EmailOptions> options) : ControllerBase
{
    [IgnoreAntiforgeryToken]
    [HttpPost("webhooks/sendgrid")]
    public async Task<IActionResult> Receive(CancellationToken cancellationToken)
    {
        var limit = options.Value.SendGrid.WebhookMaxBytes;
        if (Request.ContentLength > limit) return StatusCode(StatusCodes.Status413PayloadTooLarge);
        // The raw body, as signed: read whole (bounded), never through model binding.
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await Request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit) return StatusCode(StatusCodes.Status413PayloadTooLarge);
            buffer.Write(chunk, 0, read);
        }
        var payload = Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        switch (events.Verify(payload, Request.Headers[SendGridEvents.SignatureHeader], Request.Headers[SendGridEvents.TimestampHeader]))
        {
            case SendGridEvents.Verdict.NotConfigured:
                return NotFound();
            case SendGridEvents.Verdict.Refused:
                return Unauthorized();
        }
        if (SendGridEvents.Parse(payload) is not { } parsed) return BadRequest();
        await events.HandleAsync(parsed, cancellationToken);
        return Ok();
    }
}
