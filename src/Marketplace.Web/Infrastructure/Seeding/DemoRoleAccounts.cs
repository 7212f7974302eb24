using System.Security.Claims;
using System.Security.Cryptography;
using Marketplace.Web.Domain.Accounts;
using Marketplace.Web.Domain.Providers;
using Marketplace.Web.Infrastructure.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Marketplace.Web.Infrastructure.Seeding;

/// <summary>
/// « Essayer en deux minutes » (ADR 0017): in Development only, one account per role that can sign in at once — a
/// nonprofit in a fictional organization with open requests, a provider managing a fictional listing, a member of the
/// verification team and an admin. Each has a confirmed <c>.invalid</c> address and a password generated for this
/// database (or <c>Marketplace:DemoPassword</c>), printed once to the log when the account is created. The two staff
/// accounts carry the <see cref="TwoFactorExemptClaim"/>, which <c>[RequireTwoFactor]</c> honours in Development only,
/// so they reach the staff pages without an authenticator app; in any other environment the claim is ignored.
/// </summary>
public sealed class DemoRoleAccounts(
    MarketplaceDbContext db,
    UserManager<MarketplaceUser> users,
    RoleManager<IdentityRole> roles,
    IHostEnvironment environment,
    IOptions<MarketplaceOptions> options,
    TimeProvider time,
    ILogger<DemoRoleAccounts> logger)
{
    /// <summary>A claim (Identity's user_claims table) that lets a demo staff account skip two-factor in Development.</summary>
    public const string TwoFactorExemptClaim = "marketplace:demo-two-factor-exempt";

    public sealed record Account(string Email, string Role, string DisplayName);

    public static readonly IReadOnlyList<Account> Accounts =
    [
        new("organisme@demo.invalid", Roles.Nonprofit, "Organisme (démo)"),
        new("fournisseur@demo.invalid", Roles.Provider, "Fournisseur (démo)"),
        new("verification@demo.invalid", Roles.Curator, "Équipe de vérification (démo)"),
        new("admin@demo.invalid", Roles.Admin, "Administration (démo)"),
    ];

    /// <summary>Adds the missing demo accounts; returns each created address with its password (already existing ones are left alone).</summary>
    public async Task<IReadOnlyList<(string Email, string Role, string Password)>> EnsureAsync(CancellationToken cancellationToken)
    {
        if (!environment.IsDevelopment()) return []; // never outside Development, whatever the caller
        var created = new List<(string, string, string)>();
        foreach (var account in Accounts)
        {
            if (await users.FindByEmailAsync(account.Email) is not null) continue;
            var organizationId = account.Role switch
            {
                Roles.Nonprofit => await NonprofitAsync(cancellationToken),
                Roles.Provider => await ProviderAsync(cancellationToken),
                _ => (int?)null,
            };
            if (account.Role is Roles.Nonprofit or Roles.Provider && organizationId is null) continue; // no seed data to attach to
            var password = string.IsNullOrEmpty(options.Value.DemoPassword) ? GeneratePassword() : options.Value.DemoPassword;
            var user = new MarketplaceUser
            {
                UserName = account.Email, Email = account.Email, EmailConfirmed = true, DisplayName = account.DisplayName,
                OrganizationId = organizationId, Language = "fr", CreatedAt = time.GetUtcNow(),
            };
            Check(await users.CreateAsync(user, password));
            // An admin is also a member of the verification team, as `users add --role admin` makes one.
            foreach (var role in account.Role == Roles.Admin ? [Roles.Admin, Roles.Curator] : new[] { account.Role })
            {
                if (!await roles.RoleExistsAsync(role)) await roles.CreateAsync(new IdentityRole(role));
                Check(await users.AddToRoleAsync(user, role));
            }
            if (account.Role is Roles.Curator or Roles.Admin)
                Check(await users.AddClaimAsync(user, new Claim(TwoFactorExemptClaim, "true")));
            created.Add((account.Email, account.Role, password));
        }
        if (created.Count > 0)
            logger.LogWarning("Demonstration accounts created (Development only; passwords shown this once):{Accounts}",
                string.Concat(created.Select(c => $"{Environment.NewLine}  {c.Item2,-10} {c.Item1,-28} {c.Item3}")));
        return created;
    }

    /// <summary>A fictional seed nonprofit with open requests, so the demo account sees matches at once.</summary>
    private async Task<int?> NonprofitAsync(CancellationToken cancellationToken) =>
        await db.Organizations.Where(o => o.Kind == OrganizationKind.Nonprofit && o.Name.EndsWith("(fictif)"))
            .OrderBy(o => o.Id).Select(o => (int?)o.Id).FirstOrDefaultAsync(cancellationToken);

    /// <summary>The organization managing a fictional seed listing (seed-data's providerAccounts), created if need be.</summary>
    private async Task<int?> ProviderAsync(CancellationToken cancellationToken)
    {
        var managing = await (from o in db.Organizations
                              join p in db.Providers on o.ProviderId equals p.Id
                              where o.Kind == OrganizationKind.Provider && p.Origin == DataOrigin.Fictional
                              orderby o.Id
                              select (int?)o.Id).FirstOrDefaultAsync(cancellationToken);
        if (managing is not null) return managing;
        var listing = await db.Providers.Where(p => p.Origin == DataOrigin.Fictional && p.Status == ListingStatus.Published)
            .OrderBy(p => p.Id).Select(p => new { p.Id, p.Name }).FirstOrDefaultAsync(cancellationToken);
        if (listing is null) return null;
        var organization = new Organization(listing.Name, OrganizationKind.Provider, time.GetUtcNow());
        organization.Manages(listing.Id);
        db.Organizations.Add(organization);
        await db.SaveChangesAsync(cancellationToken);
        return organization.Id;
    }

    /// <summary>Four groups of five letters and digits from a cryptographic source: unique to this database.</summary>
    private static string GeneratePassword()
    {
        const string alphabet = "abcdefghjkmnpqrstuvwxyz23456789";
        return string.Join('-', Enumerable.Range(0, 4).Select(_ => RandomNumberGenerator.GetString(alphabet, 5)));
    }

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded) throw new InvalidDataException("Demo account: " + string.Join("; ", result.Errors.Select(e => e.Code)));
    }
}
