using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Net.Http.Headers;

namespace Marketplace.Web.Infrastructure.Web;

/// <summary>
/// Refuses what the site cannot read before anything tries to (ADR 0019): a Content-Type that does not parse or names a
/// charset other than UTF-8 or ASCII gets 415; a form body that cannot be read (broken multipart, more fields than
/// <see cref="Microsoft.AspNetCore.Http.Features.FormOptions"/> allow, invalid encoding) or that holds a NUL character, as
/// does a query string, gets 400 (413 for a body over the server's size limit). One short log line each, no stack trace; the status-code page then explains it in the page's language. Reading
/// the form here once also means MVC's model binding and the antiforgery filter only ever see a form already read.
/// </summary>
public sealed class RequestBodyGuardMiddleware(RequestDelegate next, ILogger<RequestBodyGuardMiddleware> logger)
{
    /// <summary>HttpContext.Items key telling the error page why a 400 was given.</summary>
    public const string UnreadableFormKey = "Marketplace.UnreadableForm";

    /// <summary>HttpContext.Items key: the 400 is for a forbidden character in the query string.</summary>
    public const string InvalidQueryKey = "Marketplace.InvalidQuery";

    private static readonly string[] SupportedCharsets = ["utf-8", "utf8", "us-ascii"];

    public async Task InvokeAsync(HttpContext context)
    {
        // The status-code and exception pages re-run the pipeline for the same request: it was judged already.
        if (context.Features.Get<IStatusCodeReExecuteFeature>() is not null || context.Features.Get<IExceptionHandlerFeature>() is not null)
        {
            await next(context);
            return;
        }

        var contentType = context.Request.ContentType;
        if (contentType is not null)
        {
            if (!MediaTypeHeaderValue.TryParse(contentType, out var mediaType))
            {
                Refuse(context, StatusCodes.Status415UnsupportedMediaType, "unreadable Content-Type");
                return;
            }
            var charset = mediaType.Charset.Value;
            if (charset is not null && !SupportedCharsets.Contains(charset.Trim('"'), StringComparer.OrdinalIgnoreCase))
            {
                Refuse(context, StatusCodes.Status415UnsupportedMediaType, "unsupported charset");
                return;
            }
        }

        // No field of this site takes a NUL character, and PostgreSQL refuses it in text: a clear 400, not a 500.
        if (context.Request.QueryString.HasValue && context.Request.Query.Any(q => q.Key.Contains('\0') || q.Value.Any(v => v?.Contains('\0') == true)))
        {
            context.Items[InvalidQueryKey] = true;
            Refuse(context, StatusCodes.Status400BadRequest, "NUL character in the query string");
            return;
        }

        // Only for a request some endpoint will handle: an unknown path answers 404 without reading its body.
        if (context.Request.HasFormContentType && context.GetEndpoint() is not null)
        {
            string? problem;
            var status = StatusCodes.Status400BadRequest;
            try
            {
                var form = await context.Request.ReadFormAsync(context.RequestAborted);
                problem = form.Any(f => f.Key.Contains('\0') || f.Value.Any(v => v?.Contains('\0') == true)) ? "NUL character in the form" : null;
            }
            catch (Exception e) when (e is InvalidDataException or IOException or BadHttpRequestException or System.Text.DecoderFallbackException
                                          or ArgumentException or NotSupportedException or FormatException)
            {
                if (context.RequestAborted.IsCancellationRequested) return;
                problem = e.GetType().Name + ": " + Shorten(e.Message);
                if (e is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge }) status = StatusCodes.Status413PayloadTooLarge;
            }
            if (problem is not null)
            {
                context.Items[UnreadableFormKey] = true;
                Refuse(context, status, problem);
                return;
            }
        }

        await next(context);
    }

    private void Refuse(HttpContext context, int status, string reason)
    {
        logger.LogInformation("Refused {Method} {Path} with {Status}: {Reason}", Shorten(context.Request.Method),
            Shorten(context.Request.Path.Value ?? ""), status, reason);
        context.Response.StatusCode = status;
    }

    private static string Shorten(string text) => text.Length <= 120 ? text : text[..120] + "…";
}
