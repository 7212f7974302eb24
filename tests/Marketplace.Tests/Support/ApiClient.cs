using System.Net;
using System.Text.Json;

namespace Marketplace.Tests.Support;

public static class ApiClient
{
    public static async Task<JsonElement> GetJsonAsync(this HttpClient client, string url, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var response = await client.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(expected), $"GET {url}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    public static async Task<string[]> SlugsAsync(this HttpClient client, string query)
    {
        var parameters = query.TrimStart('?');
        var json = await client.GetJsonAsync($"/api/v1/providers?{parameters}{(parameters.Length == 0 ? "" : "&")}pageSize=100");
        return json.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("slug").GetString()!).ToArray();
    }

    /// <summary>
    /// The providers the text matches as typed: none when the search fell back to the closest spellings (the API says
    /// <c>approximate</c>, the page « voici ceux des mots les plus proches »; docs/search.md).
    /// </summary>
    public static async Task<string[]> ExactSlugsAsync(this HttpClient client, string query)
    {
        var json = await client.GetJsonAsync($"/api/v1/providers?{query.TrimStart('?')}&pageSize=100");
        return json.GetProperty("approximate").GetBoolean()
            ? []
            : json.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("slug").GetString()!).ToArray();
    }
}
