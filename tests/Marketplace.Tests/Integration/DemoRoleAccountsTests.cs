using System.Net;
using System.Security.Claims;
using Marketplace.Tests.Support;
using Marketplace.Web.Domain.Accounts;
using Marketplace.Web.Domain.Providers;
using Marketplace.Web.Infrastructure.Data;
using Marketplace.Web.Infrastructure.Seeding;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Marketplace.Tests.Integration;

/// <summary>
/// Issue 11, « essayer en deux minutes »: in Development, one account per role that signs in at once (the staff ones
/// without two-factor); in any other environment, none, and the exemption means nothing.
/// </summary>
[TestFixture(DatabaseProvider.Sqlite)]
[TestFixture(DatabaseProvider.Postgres)]
public sealed class DemoRoleAccountsTests(DatabaseProvider provider)
{
    private const string DemoPassword = "essai démo assez long 2026";
    private static readonly string[] Emails = ["organisme@demo.invalid", "fournisseur@demo.invalid", "verification@demo.invalid", "admin@demo.invalid"];

    private static async Task<string> SignInAsync(Browsing browsing, string email, string password)
    {
        var (_, login) = await browsing.GetAsync("/fr/connexion");
        var (signedIn, page) = await browsing.SubmitAsync(login, "form.stacked-form", new Dictionary<string, string> { ["Email"] = email, ["Password"] = password });
        Assert.That(signedIn.StatusCode, Is.EqualTo(HttpStatusCode.Redirect), page.QuerySelector(".alert")?.TextContent);
        return signedIn.Headers.Location!.OriginalString;
    }

    [Test]
    public async Task Development_start_up_creates_one_ready_account_per_role()
    {
        var database = await TestDatabases.CreateAsync(provider);
        await using var factory = new MarketplaceFactory(database, environment: "Development",
            settings: new Dictionary<string, string> { ["Marketplace:DemoPassword"] = DemoPassword });
        _ = factory.Server;

        var accounts = await factory.WithDbAsync(db => (from u in db.Users
                                                        where Emails.Contains(u.Email!)
                                                        select new
                                                        {
                                                            u.Email, u.EmailConfirmed, u.TwoFactorEnabled, u.OrganizationId,
                                                            Roles = (from ur in db.UserRoles join r in db.Roles on ur.RoleId equals r.Id where ur.UserId == u.Id select r.Name).ToList(),
                                                        }).ToListAsync());
        Assert.That(accounts.Select(a => a.Email), Is.EquivalentTo(Emails));
        Assert.That(accounts.All(a => a.EmailConfirmed && !a.TwoFactorEnabled), Is.True);
        Assert.That(accounts.Single(a => a.Email == "admin@demo.invalid").Roles, Is.EquivalentTo(new[] { Roles.Admin, Roles.Curator }));
        Assert.That(accounts.Single(a => a.Email == "verification@demo.invalid").Roles, Is.EquivalentTo(new[] { Roles.Curator }));

        // The nonprofit belongs to a fictional organization with open requests; the provider manages a fictional listing.
        var nonprofitOrg = accounts.Single(a => a.Email == "organisme@demo.invalid").OrganizationId!.Value;
        Assert.That(await factory.WithDbAsync(db => db.NeedRequests.AnyAsync(r => r.OrganizationId == nonprofitOrg)), Is.True);
        var providerOrg = accounts.Single(a => a.Email == "fournisseur@demo.invalid").OrganizationId!.Value;
        var listing = await factory.WithDbAsync(db => (from o in db.Organizations join p in db.Providers on o.ProviderId equals p.Id
                                                       where o.Id == providerOrg select new { p.Origin, p.Status }).SingleAsync());
        Assert.That(listing.Origin, Is.EqualTo(DataOrigin.Fictional));
        Assert.That(listing.Status, Is.EqualTo(ListingStatus.Published));

        // Each signs in and lands on its work; the staff reach their pages without setting up two-factor.
        using var curator = new Browsing(factory);
        Assert.That(await SignInAsync(curator, "verification@demo.invalid", DemoPassword), Is.EqualTo("/fr/conservation"));
        Assert.That((await curator.GetAsync("/fr/conservation")).Response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        using var admin = new Browsing(factory);
        Assert.That(await SignInAsync(admin, "admin@demo.invalid", DemoPassword), Is.EqualTo("/fr/admin/comptes"));
        Assert.That((await admin.GetAsync("/fr/admin/comptes")).Response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        using var nonprofit = new Browsing(factory);
        await SignInAsync(nonprofit, "organisme@demo.invalid", DemoPassword);
        Assert.That((await nonprofit.GetAsync("/fr/compte/besoins")).Response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        using var providerStaff = new Browsing(factory);
        await SignInAsync(providerStaff, "fournisseur@demo.invalid", DemoPassword);
        Assert.That((await providerStaff.GetAsync("/fr/compte/demandes")).Response.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        // Without a configured password, each account gets its own generated one, returned (and logged) once.
        var generated = await factory.WithScopeAsync(async sp =>
        {
            var users = sp.GetRequiredService<UserManager<MarketplaceUser>>();
            foreach (var email in new[] { "organisme@demo.invalid", "verification@demo.invalid" })
                await users.DeleteAsync((await users.FindByEmailAsync(email))!);
            var options = sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<Marketplace.Web.Infrastructure.MarketplaceOptions>>().Value;
            options.DemoPassword = "";
            return await sp.GetRequiredService<DemoRoleAccounts>().EnsureAsync(CancellationToken.None);
        });
        Assert.That(generated.Select(g => g.Email), Is.EquivalentTo(new[] { "organisme@demo.invalid", "verification@demo.invalid" }));
        Assert.That(generated.Select(g => g.Password).Distinct().Count(), Is.EqualTo(2));
        Assert.That(generated.All(g => g.Password.Length >= 20 && g.Password != DemoPassword), Is.True);
    }

    [TestCase("Testing")]
    [TestCase("Production")]
    public async Task Other_environments_create_no_demo_account_and_ignore_the_exemption(string environment)
    {
        var database = await TestDatabases.CreateAsync(provider);
        await using var factory = new MarketplaceFactory(database, environment: environment,
            settings: new Dictionary<string, string> { ["Marketplace:DemoPassword"] = DemoPassword, ["Marketplace:DemoAccounts"] = "true" });
        _ = factory.Server;
        Assert.That(await factory.WithDbAsync(db => db.Users.CountAsync(u => Emails.Contains(u.Email!))), Is.Zero);
        Assert.That(await factory.WithScopeAsync(sp => sp.GetRequiredService<DemoRoleAccounts>().EnsureAsync(CancellationToken.None)), Is.Empty);

        // A curator carrying the demo claim (say, a database copied from a laptop) still has to set up two-factor.
        await factory.WithScopeAsync(async sp =>
        {
            var users = sp.GetRequiredService<UserManager<MarketplaceUser>>();
            var roles = sp.GetRequiredService<RoleManager<IdentityRole>>();
            if (!await roles.RoleExistsAsync(Roles.Curator)) await roles.CreateAsync(new IdentityRole(Roles.Curator));
            var user = new MarketplaceUser { UserName = "copie@demo.invalid", Email = "copie@demo.invalid", EmailConfirmed = true, DisplayName = "Copie" };
            Assert.That((await users.CreateAsync(user, DemoPassword)).Succeeded, Is.True);
            await users.AddToRoleAsync(user, Roles.Curator);
            await users.AddClaimAsync(user, new Claim(DemoRoleAccounts.TwoFactorExemptClaim, "true"));
        });
        using var curator = new Browsing(factory);
        await SignInAsync(curator, "copie@demo.invalid", DemoPassword);
        (await curator.GetAsync("/fr/conservation")).Response.IsRedirectTo("/fr/compte/double-authentification");
    }
}
