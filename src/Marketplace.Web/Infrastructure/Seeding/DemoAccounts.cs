using Marketplace.Web.Domain.Accounts;
using Marketplace.Web.Infrastructure.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Web.Infrastructure.Seeding;

/// <summary>
/// Fictional demonstration accounts from seed-data/nonprofits.json: staff of the fictional nonprofits, and of a provider
/// organization managing a fictional listing, each with a confirmed `.invalid` address, no password (nobody can sign
/// in with them) and the weekly digest consent, so that `jobs run digest` on a fresh database writes digests.
/// </summary>
public sealed class DemoAccounts(MarketplaceDbContext db, UserManager<MarketplaceUser> users, RoleManager<IdentityRole> roles, TimeProvider time)
{
    public const string ConsentVersion = "demo";

    public async Task<int> AddAsync(SeedNonprofits seed, CancellationToken cancellationToken)
    {
        var added = 0;
        foreach (var organization in seed.Organizations)
        {
            var id = await db.Organizations.Where(o => o.Name == organization.Name && o.Kind == OrganizationKind.Nonprofit)
                .Select(o => (int?)o.Id).FirstOrDefaultAsync(cancellationToken);
            if (id is null) continue;
            foreach (var person in organization.DemoUsers ?? [])
                if (await AddUserAsync(person, id.Value, Roles.Nonprofit)) added++;
        }
        foreach (var account in seed.ProviderAccounts ?? [])
        {
            var providerId = await db.Providers.Where(p => p.Slug == account.ProviderSlug).Select(p => (int?)p.Id).FirstOrDefaultAsync(cancellationToken);
            if (providerId is null) continue;
            var organization = await db.Organizations.FirstOrDefaultAsync(o => o.ProviderId == providerId, cancellationToken);
            if (organization is null)
            {
                organization = new Organization(account.Organization, OrganizationKind.Provider, time.GetUtcNow());
                organization.Manages(providerId.Value);
                db.Organizations.Add(organization);
                await db.SaveChangesAsync(cancellationToken);
            }
            foreach (var person in account.DemoUsers)
                if (await AddUserAsync(person, organization.Id, Roles.Provider)) added++;
        }
        return added;
    }

    private async Task<bool> AddUserAsync(SeedDemoUser person, int organizationId, string role)
    {
        if (!person.Email.EndsWith(".invalid", StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException($"Demonstration accounts use .invalid addresses: {person.Email}");
        if (await users.FindByEmailAsync(person.Email) is not null) return false;
        if (!await roles.RoleExistsAsync(role)) await roles.CreateAsync(new IdentityRole(role));
        var user = new MarketplaceUser
        {
            UserName = person.Email, Email = person.Email, EmailConfirmed = true, DisplayName = person.DisplayName,
            OrganizationId = organizationId, Language = person.Language ?? "fr", CreatedAt = time.GetUtcNow(),
        };
        Check(await users.CreateAsync(user));
        Check(await users.AddToRoleAsync(user, role));
        db.Consents.Add(new Consent(user.Id, ConsentPurpose.WeeklyDigest, ConsentVersion, time.GetUtcNow()));
        await db.SaveChangesAsync();
        return true;
    }

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded) throw new InvalidDataException(string.Join("; ", result.Errors.Select(e => e.Code)));
    }
}
