using System.Net;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Marketplace.Tests.Support;

/// <summary>A cookie-keeping HTTPS client that reads pages and posts their real forms, antiforgery token included.</summary>
public sealed class Browsing(MarketplaceFactory factory) : IDisposable
{
    private static readonly HtmlParser Parser = new();

    public HttpClient Http { get; } = factory.CreateClient(new WebApplicationFactoryClientOptions
    {
        AllowAutoRedirect = false,
        BaseAddress = new Uri("https://localhost"),
    });

    public async Task<(HttpResponseMessage Response, IHtmlDocument Page)> GetAsync(string url)
    {
        var response = await Http.GetAsync(url);
        return (response, Parser.ParseDocument(await response.Content.ReadAsStringAsync()));
    }

    /// <summary>Fills the form matched by <paramref name="selector"/> on the page and posts it as a browser would.</summary>
    public async Task<(HttpResponseMessage Response, IHtmlDocument Page)> SubmitAsync(IHtmlDocument page, string selector,
        IReadOnlyDictionary<string, string>? values = null, bool withToken = true)
    {
        var form = page.QuerySelector(selector) as IHtmlFormElement
                   ?? throw new AssertionException($"No form '{selector}' on the page.");
        var fields = new List<KeyValuePair<string, string>>();
        foreach (var element in form.Elements)
        {
            switch (element)
            {
                case IHtmlInputElement { Name: { Length: > 0 } name } input when input.Type is "checkbox" or "radio":
                    if (values?.ContainsKey(name) == true) continue;
                    if (input.IsChecked) fields.Add(new(name, input.Value));
                    break;
                case IHtmlInputElement { Name: { Length: > 0 } name } input:
                    if (!withToken && name == "__RequestVerificationToken") continue;
                    if (values?.ContainsKey(name) != true) fields.Add(new(name, input.Value));
                    break;
                case IHtmlTextAreaElement { Name: { Length: > 0 } name } area when values?.ContainsKey(name) != true:
                    fields.Add(new(name, area.Value));
                    break;
                case IHtmlSelectElement { Name: { Length: > 0 } name } select when values?.ContainsKey(name) != true:
                    foreach (var option in select.Options.Where(o => o.IsSelected)) fields.Add(new(name, option.Value));
                    break;
            }
        }
        foreach (var (name, value) in values ?? new Dictionary<string, string>()) fields.Add(new(name, value));
        var action = form.GetAttribute("action") is { Length: > 0 } a ? a : "";
        var response = await Http.PostAsync(action, new FormUrlEncodedContent(fields));
        return (response, Parser.ParseDocument(await response.Content.ReadAsStringAsync()));
    }

    public void Dispose() => Http.Dispose();
}

public static class ResponseAssertions
{
    public static void IsRedirectTo(this HttpResponseMessage response, string path)
    {
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Redirect).Or.EqualTo(HttpStatusCode.Found));
        Assert.That(response.Headers.Location?.ToString(), Does.StartWith(path));
    }
}
