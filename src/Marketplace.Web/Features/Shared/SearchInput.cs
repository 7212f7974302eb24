namespace Marketplace.Web.Features.Shared;

/// <summary>
/// A search box's text field (<c>_SearchInput.cshtml</c>): a plain <c>&lt;input type="search" name="q"&gt;</c> that
/// wwwroot/js/suggest.js turns into a combobox proposing categories and providers while someone types (ADR 0026).
/// </summary>
/// <param name="Id">The input's id, which its &lt;label for&gt; names.</param>
/// <param name="Value">The text already searched, if any.</param>
public sealed record SearchInput(string Id, string? Value = null);
