using Marketplace.Tests.Support;
using Marketplace.Web.Domain.Accounts;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Marketplace.Tests.Browser;

/// <summary>The English sign-up in a real Chromium: the French terms offered first, an express choice, axe clean (issue 14).</summary>
[TestFixture]
[Category("Browser")]
public sealed class PrivacyBrowserTests : BrowserFixture
{
    [Test]
    public async Task An_english_sign_up_offers_the_french_terms_first_and_binds_to_the_version_chosen()
    {
        var page = await NewPageAsync();
        await page.GotoAsync(_baseUrl + "/en/sign-up");
        var terms = page.GetByRole(AriaRole.Group, new PageGetByRoleOptions { Name = "Terms of use" });
        var links = await terms.Locator("a").EvaluateAllAsync<string[]>("links => links.map(a => a.getAttribute('href'))");
        Assert.That(links.Take(2), Is.EqualTo(new[] { "/fr/conditions", "/en/terms" }));
        Assert.That(await terms.Locator("a").First.GetAttributeAsync("lang"), Is.EqualTo("fr"));
        await AssertAccessibleAsync(page);

        await page.Locator("input[name=Kind][value=Nonprofit]").CheckAsync();
        await page.Locator("#organization").FillAsync("Organisme Navigateur");
        await page.Locator("#name").FillAsync("Alex");
        await page.Locator("#email").FillAsync("navigateur-en@organisme.test");
        await page.Locator("#password").FillAsync("une phrase de passe assez longue");
        await page.Locator("#confirmation").FillAsync("une phrase de passe assez longue");
        await page.Locator("input[name=AcceptTerms]").CheckAsync();
        await SubmitFormAsync(page, "Create the account");
        // No version chosen: the page says so, in English, and keeps what was typed.
        await Assertions.Expect(page.Locator("#errors")).ToContainTextAsync("Choose the version of the terms of use that binds you");
        Assert.That(await page.Locator("#organization").InputValueAsync(), Is.EqualTo("Organisme Navigateur"));
        await AssertAccessibleAsync(page);

        await page.Locator("input[name=TermsLanguage][value=en]").CheckAsync();
        await page.Locator("#password").FillAsync("une phrase de passe assez longue");
        await page.Locator("#confirmation").FillAsync("une phrase de passe assez longue");
        await page.Locator("input[name=AcceptTerms]").CheckAsync();
        await SubmitFormAsync(page, "Create the account");
        await page.WaitForURLAsync("**/en/login");
        var terms2 = await _factory.WithDbAsync(db => db.Consents
            .Join(db.Users.Where(u => u.Email == "navigateur-en@organisme.test"), c => c.UserId, u => u.Id, (c, _) => c)
            .SingleAsync(c => c.Purpose == ConsentPurpose.Terms));
        Assert.That(terms2.Language, Is.EqualTo("en"));
    }
}
