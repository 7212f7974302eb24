using Marketplace.Tests.Support;
using Microsoft.Playwright;

namespace Marketplace.Tests.Browser;

/// <summary>
/// Suggestions while typing in the search box (suggest.js, ADR 0026) in a real Chromium: the WAI-ARIA combobox with
/// the keyboard and the mouse, what a screen reader is told, axe with the list open, and the plain form underneath.
/// </summary>
[TestFixture]
[Category("Browser")]
public sealed class SuggestionsBrowserTests : BrowserFixture
{
    private const string HostileName = "<img src=x onerror=\"window.hacked=1\"><script>window.hacked=1</script> Zyxalotl";

    [OneTimeSetUp]
    public async Task AddAProviderWithMarkupInItsName() =>
        await _factory.AddProviderAsync("zyxalotl", HostileName, "Un nom écrit pour tenter d'injecter du code.");

    // The search field; a <select> (the sort) is a combobox too.
    private static ILocator Box(IPage page) => page.Locator("input[type=search][role=combobox]");

    private static ILocator Listbox(IPage page) => page.GetByRole(AriaRole.Listbox);

    private static async Task TypeAsync(IPage page, string text)
    {
        await Box(page).ClickAsync();
        await Box(page).PressSequentiallyAsync(text);
        await Assertions.Expect(Listbox(page)).ToBeVisibleAsync();
    }

    [Test]
    public async Task Typing_form_lists_categories_and_providers_and_arrow_down_then_enter_opens_the_first()
    {
        var page = await NewPageAsync();
        await page.GotoAsync(_baseUrl + "/fr");
        await Assertions.Expect(Box(page)).ToHaveAttributeAsync("aria-expanded", "false");

        await TypeAsync(page, "form");
        var box = Box(page);
        await Assertions.Expect(box).ToHaveAttributeAsync("aria-expanded", "true");
        Assert.That(await box.GetAttributeAsync("aria-controls"), Is.EqualTo(await Listbox(page).GetAttributeAsync("id")));
        var categories = page.GetByRole(AriaRole.Group, new PageGetByRoleOptions { Name = "Catégories" });
        var providers = page.GetByRole(AriaRole.Group, new PageGetByRoleOptions { Name = "Fournisseurs" });
        await Assertions.Expect(categories.GetByRole(AriaRole.Option, new LocatorGetByRoleOptions { Name = "Formation et compétences numériques" })).ToBeVisibleAsync();
        await Assertions.Expect(providers.GetByRole(AriaRole.Option).First).ToBeVisibleAsync();
        var count = await page.GetByRole(AriaRole.Option).CountAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync($"{count} suggestions");
        await AssertAccessibleAsync(page);

        await page.Keyboard.PressAsync("ArrowDown");
        var first = page.GetByRole(AriaRole.Option).First;
        await Assertions.Expect(first).ToHaveAttributeAsync("aria-selected", "true");
        Assert.That(await box.GetAttributeAsync("aria-activedescendant"), Is.EqualTo(await first.GetAttributeAsync("id")));
        Assert.That(await box.EvaluateAsync<bool>("e => e === document.activeElement"), Is.True, "the focus stays in the field");

        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync("**/fr/recherche?category=formation");
        Assert.That(await page.Locator("a.facet-value.selected").TextContentAsync(), Does.Contain("Formation"));
    }

    [Test]
    public async Task Arrow_keys_move_through_both_groups_and_wrap_around()
    {
        var page = await NewPageAsync();
        await page.GotoAsync(_baseUrl + "/fr");
        await TypeAsync(page, "form");
        var options = page.GetByRole(AriaRole.Option);
        var count = await options.CountAsync();
        Assert.That(count, Is.GreaterThan(1));

        for (var i = 0; i < count; i++) await page.Keyboard.PressAsync("ArrowDown");
        await Assertions.Expect(options.Last).ToHaveAttributeAsync("aria-selected", "true");
        await page.Keyboard.PressAsync("ArrowDown");
        await Assertions.Expect(options.First).ToHaveAttributeAsync("aria-selected", "true");
        await page.Keyboard.PressAsync("ArrowUp");
        await Assertions.Expect(options.Last).ToHaveAttributeAsync("aria-selected", "true");
        Assert.That(await page.Locator("[role=option][aria-selected=true]").CountAsync(), Is.EqualTo(1));
    }

    [Test]
    public async Task Escape_closes_the_list_and_enter_then_searches_the_typed_text()
    {
        var page = await NewPageAsync();
        await page.GotoAsync(_baseUrl + "/fr/recherche");
        await TypeAsync(page, "insert");

        await page.Keyboard.PressAsync("Escape");
        await Assertions.Expect(Listbox(page)).ToBeHiddenAsync();
        await Assertions.Expect(Box(page)).ToHaveAttributeAsync("aria-expanded", "false");
        await Assertions.Expect(Box(page)).ToHaveValueAsync("insert");
        Assert.That(await Box(page).GetAttributeAsync("aria-activedescendant"), Is.Null);

        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync("**/fr/recherche?q=insert*");
        Assert.That(await page.Locator(".results .card h3 a").AllTextContentsAsync(), Does.Contain("Insertech"));
    }

    [Test]
    public async Task Enter_with_the_list_open_but_nothing_highlighted_searches_the_typed_text()
    {
        var page = await NewPageAsync();
        await page.GotoAsync(_baseUrl + "/fr");
        await TypeAsync(page, "reemploi");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync("**/fr/recherche?q=reemploi");
        Assert.That(await page.Locator("#results-heading").TextContentAsync(), Does.Match(@"Fournisseurs trouvés : [1-9]"));
    }

    [Test]
    public async Task Clicking_a_suggestion_opens_the_providers_page()
    {
        var page = await NewPageAsync();
        await page.GotoAsync(_baseUrl + "/fr/recherche?q=formation");
        await Box(page).FillAsync("");
        await TypeAsync(page, "insert");
        await page.GetByRole(AriaRole.Option, new PageGetByRoleOptions { Name = "Insertech" }).ClickAsync();
        await page.WaitForURLAsync("**/fr/fournisseurs/insertech");
        Assert.That(await page.Locator("h1").TextContentAsync(), Is.EqualTo("Insertech"));
    }

    [Test]
    public async Task The_english_page_labels_and_announces_in_english()
    {
        var page = await NewPageAsync(width: 390);
        await page.GotoAsync(_baseUrl + "/en");
        await TypeAsync(page, "train");
        await Assertions.Expect(page.GetByRole(AriaRole.Group, new PageGetByRoleOptions { Name = "Categories" })
            .GetByRole(AriaRole.Option, new LocatorGetByRoleOptions { Name = "Training and digital skills" })).ToBeVisibleAsync();
        var count = await page.GetByRole(AriaRole.Option).CountAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync(count == 1 ? "1 suggestion" : $"{count} suggestions");
        Assert.That(await Listbox(page).GetAttributeAsync("aria-label"), Is.EqualTo("Search suggestions"));
        await AssertAccessibleAsync(page);

        await page.Keyboard.PressAsync("ArrowDown");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync("**/en/search?category=formation");
    }

    [Test]
    public async Task A_name_with_markup_is_shown_as_text_and_never_runs()
    {
        var page = await NewPageAsync();
        await page.GotoAsync(_baseUrl + "/fr");
        await TypeAsync(page, "zyxal");
        var option = page.GetByRole(AriaRole.Option).First;
        Assert.That(await option.TextContentAsync(), Is.EqualTo(HostileName));
        Assert.That(await page.Locator(".suggestions img, .suggestions script").CountAsync(), Is.Zero);
        Assert.That(await page.EvaluateAsync<bool>("() => window.hacked === 1"), Is.False);
    }

    [Test]
    public async Task Without_javascript_the_search_box_is_a_plain_field_that_searches()
    {
        var context = await _browser.NewContextAsync(new BrowserNewContextOptions { JavaScriptEnabled = false });
        var page = await context.NewPageAsync();
        await page.GotoAsync(_baseUrl + "/fr");
        Assert.That(await page.Locator("input[role=combobox]").CountAsync(), Is.Zero);
        await page.GetByLabel("Mots-clés", new PageGetByLabelOptions { Exact = false }).FillAsync("insert");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync("**/fr/recherche?q=insert");
        Assert.That(await page.Locator(".results .card h3 a").AllTextContentsAsync(), Does.Contain("Insertech"));
        await context.CloseAsync();
    }
}
