using Marketplace.Tests.Support;
using Marketplace.Web.Features.Curation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Marketplace.Tests.Browser;

/// <summary>« Demander le retrait de cette fiche » in a real Chromium, without an account, and the withdrawn page: axe clean (issue 14).</summary>
[TestFixture]
[Category("Browser")]
public sealed class WithdrawalBrowserTests : BrowserFixture
{
    [Test]
    public async Task A_visitor_asks_for_a_listing_to_be_withdrawn_and_the_withdrawn_page_says_so()
    {
        var providerId = await _factory.AddProviderAsync("retrait-navigateur", "Atelier Navigateur", "Une fiche dont on demande le retrait.");
        var page = await NewPageAsync();
        await page.GotoAsync(_baseUrl + "/fr/fournisseurs/retrait-navigateur");
        await NavigateByAsync(page, () => page.GetByRole(AriaRole.Link, new PageGetByRoleOptions { Name = "Demander le retrait de cette fiche" }).ClickAsync());
        Assert.That(page.Url, Does.EndWith("/fr/fournisseurs/retrait-navigateur/retrait"));
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Demander le retrait de la fiche de Atelier Navigateur");
        await AssertAccessibleAsync(page);

        await page.GetByLabel("Votre nom (facultatif)").FillAsync("Dominique");
        await page.GetByLabel("Votre adresse courriel").FillAsync("retrait-navigateur@exemple.test");
        await page.GetByLabel("Motif de la demande").FillAsync("Mon numéro personnel y est affiché.");
        await SubmitFormAsync(page, "Envoyer la demande");
        await Assertions.Expect(page.Locator("[role=status]")).ToContainTextAsync("transmise à l'équipe de vérification");
        await AssertAccessibleAsync(page);

        var id = await _factory.WithDbAsync(db => db.WithdrawalRequests.Where(w => w.ProviderId == providerId).Select(w => w.Id).SingleAsync());
        await _factory.WithScopeAsync(sp => sp.GetRequiredService<WithdrawalRequests>().DecideAsync(id, true, "equipe-test", null, CancellationToken.None));

        var response = await page.GotoAsync(_baseUrl + "/en/providers/retrait-navigateur");
        Assert.That(response!.Status, Is.EqualTo(410));
        Assert.That(await response.HeaderValueAsync("x-robots-tag"), Is.EqualTo("noindex"));
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("The listing of Atelier Navigateur was withdrawn");
        await AssertAccessibleAsync(page);
    }
}
