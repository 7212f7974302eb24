using System.IO.Compression;
using Marketplace.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Marketplace.Tests.Browser;

/// <summary>« Mes données » and « Profil » in a real Chromium (issue 14): the ZIP download, an email change confirmed from the new address; axe clean.</summary>
[TestFixture]
[Category("Browser")]
public sealed class PersonalDataBrowserTests : BrowserFixture
{
    [Test]
    public async Task A_person_downloads_their_data_as_a_zip()
    {
        var page = await NewPageAsync();
        await SignUpAsync(page, "un organisme communautaire qui cherche des services", "Organisme Export Navigateur", "export-navigateur@organisme.test");
        await page.GotoAsync(_baseUrl + "/fr/compte/parametres");
        await page.GetByRole(AriaRole.Link, new PageGetByRoleOptions { Name = "Mes données", Exact = true }).ClickAsync();
        await page.WaitForURLAsync("**/fr/compte/donnees");
        await AssertAccessibleAsync(page);
        var download = await page.RunAndWaitForDownloadAsync(() =>
            page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Télécharger mes données (ZIP)" }).ClickAsync());
        Assert.That(download.SuggestedFilename, Does.Match(@"^mes-donnees-\d{4}-\d{2}-\d{2}\.zip$"));
        var file = Path.Combine(Path.GetTempPath(), $"navigateur-{Guid.NewGuid():N}.zip");
        try
        {
            await download.SaveAsAsync(file);
            using var zip = ZipFile.OpenRead(file);
            Assert.That(zip.Entries.Select(e => e.FullName), Does.Contain("compte.json").And.Contain("compte.csv").And.Contain("LISEZMOI.txt"));
            using var reader = new StreamReader(zip.GetEntry("compte.json")!.Open());
            Assert.That(await reader.ReadToEndAsync(), Does.Contain("export-navigateur@organisme.test"));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Test]
    public async Task A_person_changes_their_email_and_signs_in_with_it_once_confirmed()
    {
        var page = await NewPageAsync();
        await SignUpAsync(page, "un organisme communautaire qui cherche des services", "Organisme Profil Navigateur", "profil-avant@organisme.test");
        await page.GotoAsync(_baseUrl + "/fr/compte/profil");
        await AssertAccessibleAsync(page);
        await page.GetByLabel("Adresse courriel").FillAsync("pas une adresse");
        await page.EvalOnSelectorAsync("form.stacked-form", "f => f.noValidate = true"); // the server's own check
        await SubmitFormAsync(page, "Enregistrer");
        await Assertions.Expect(page.Locator("#errors")).ToContainTextAsync("Indiquez une adresse courriel valide.");
        await AssertAccessibleAsync(page);

        await page.GetByLabel("Adresse courriel").FillAsync("profil-apres@organisme.test");
        await SubmitFormAsync(page, "Enregistrer");
        await Assertions.Expect(page.Locator(".notice")).ToContainTextAsync("profil-apres@organisme.test");
        Assert.That(await _factory.WithDbAsync(db => db.OutboxEmails.CountAsync(e => e.To == "profil-avant@organisme.test"
            && e.Subject == "Changement d'adresse demandé pour votre compte")), Is.EqualTo(1));

        await page.GotoAsync(await OutboxLinkAsync("profil-apres@organisme.test", "/fr/compte/profil/courriel"));
        await Assertions.Expect(page.Locator(".notice")).ToContainTextAsync("Votre nouvelle adresse est confirmée");
        await AssertAccessibleAsync(page);
        var fresh = await NewPageAsync();
        await SignInAsync(fresh, "profil-apres@organisme.test");
        Assert.That(fresh.Url, Does.Not.Contain("/fr/connexion"));
    }
}
