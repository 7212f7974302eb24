using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Marketplace.Tests.Browser;

/// <summary>Issue 14: a person deletes their account in a real Chromium, from their settings; every page axe clean.</summary>
[TestFixture]
[Category("Browser")]
public sealed class AccountDeletionBrowserTests : BrowserFixture
{
    [Test]
    public async Task A_person_deletes_their_account_from_the_settings_after_reading_what_goes_and_what_stays()
    {
        const string email = "suppression-navigateur@organisme.test";
        var page = await NewPageAsync();
        await SignUpAsync(page, "un organisme communautaire qui cherche des services", "Organisme qui s'en va", email);

        await page.GotoAsync(_baseUrl + "/fr/compte/parametres");
        await NavigateByAsync(page, () => page.GetByRole(AriaRole.Link, new PageGetByRoleOptions { Name = "Supprimer mon compte et ce qui s'y rattache…" }).ClickAsync());
        Assert.That(page.Url, Does.EndWith("/fr/compte/supprimer"));
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new PageGetByRoleOptions { Name = "Ce qui est supprimé" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new PageGetByRoleOptions { Name = "Ce qui est gardé, et pourquoi" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("Organisme qui s'en va");
        await AssertAccessibleAsync(page);

        // A wrong password: a clear message, nothing deleted, still accessible.
        await page.GetByLabel("Mot de passe").FillAsync("pas le bon");
        await SubmitFormAsync(page, "Supprimer définitivement mon compte");
        await Assertions.Expect(page.Locator("#errors")).ToContainTextAsync("Rien n'a été supprimé");
        await AssertAccessibleAsync(page);
        Assert.That(await _factory.WithDbAsync(db => db.Users.AnyAsync(u => u.Email == email)), Is.True);

        await page.GetByLabel("Mot de passe").FillAsync(Password);
        await SubmitFormAsync(page, "Supprimer définitivement mon compte");
        Assert.That(new Uri(page.Url).AbsolutePath, Is.EqualTo("/fr/compte/supprime"));
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new PageGetByRoleOptions { Name = "Votre compte est supprimé." })).ToBeVisibleAsync();
        await AssertAccessibleAsync(page);
        Assert.That(await _factory.WithDbAsync(db => db.Users.AnyAsync(u => u.Email == email)), Is.False);
        Assert.That(await _factory.WithDbAsync(db => db.Organizations.AnyAsync(o => o.Name == "Organisme qui s'en va")), Is.False);
    }
}
