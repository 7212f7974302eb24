using Marketplace.Web.Domain.Accounts;
using Marketplace.Web.Domain.Matching;
using Marketplace.Web.Domain.Providers;
using Marketplace.Web.Infrastructure.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Web.Infrastructure.Seeding;

/// <summary>
/// Generates clearly synthetic people who get a weekly digest, for the digest benchmark (issue 5): staff of the synthetic
/// nonprofits (<see cref="SyntheticRequests"/>) that have a matched open request, and staff of provider organizations
/// managing synthetic providers matched to an open request. Each has a confirmed `synthetique.invalid` address, no
/// password (nobody can sign in with them), the Nonprofit or Provider role and the weekly digest consent. Run matching
/// first: only organizations with something to tell get people, so each person adds one digest to the next run. One in
/// four is provider staff. People are dealt to the organizations in turn (one each, then a second each, …), so a few
/// thousand matched requests are enough for tens of thousands of people. Deterministic (organizations in id order,
/// numbering continued by a later call); bulk-inserted, not through Identity's user manager, which saves one at a time.
/// </summary>
public sealed class SyntheticDigestRecipients(MarketplaceDbContext db, RoleManager<IdentityRole> roles, TimeProvider time)
{
    public const string IdPrefix = "synthetic-digest-";
    public const string Domain = "synthetique.invalid";
    public const string ConsentVersion = "synthetic";
    private const string ProviderOrganizationPrefix = "Équipe synthétique — ";

    /// <summary>What was added: nonprofit staff and provider staff (none when matching found nothing to tell).</summary>
    public sealed record Outcome(int Nonprofit, int Provider);

    private const int Batch = 1000;

    public async Task<Outcome> AddAsync(int count, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var nonprofitRole = await RoleIdAsync(Roles.Nonprofit);
        var providerRole = await RoleIdAsync(Roles.Provider);
        var synthetic = db.Users.Where(u => u.Id.StartsWith(IdPrefix));
        var start = await synthetic.CountAsync(cancellationToken);
        var nonprofitsBefore = await synthetic.CountAsync(u => db.Organizations.Any(o => o.Id == u.OrganizationId && o.Kind == OrganizationKind.Nonprofit),
            cancellationToken);
        var providersBefore = start - nonprofitsBefore;

        var open = db.NeedRequests.Where(r => r.Status == RequestStatus.Open && db.Matches.Any(m => m.RequestId == r.Id));
        var nonprofits = await db.Organizations.AsNoTracking()
            .Where(o => o.Kind == OrganizationKind.Nonprofit && o.Name.StartsWith(SyntheticRequests.OrganizationPrefix) && open.Any(r => r.OrganizationId == o.Id))
            .OrderBy(o => o.Id).Select(o => o.Id).ToListAsync(cancellationToken);
        var providers = await db.Providers.AsNoTracking()
            .Where(p => p.Origin == DataOrigin.Synthetic && p.Status == ListingStatus.Published
                        && db.Matches.Any(m => m.ProviderId == p.Id && open.Any(r => r.Id == m.RequestId)))
            .OrderBy(p => p.Id).Select(p => new { p.Id, p.Name }).ToListAsync(cancellationToken);
        // The providers that get people: one each for as many people as there will be, then in turn.
        providers = providers.Take(Math.Max(1, providersBefore + count / 4)).ToList();
        var providerCount = nonprofits.Count == 0 ? (providers.Count == 0 ? 0 : count) : providers.Count == 0 ? 0 : count / 4;
        var nonprofitCount = nonprofits.Count == 0 ? 0 : count - providerCount;

        var detect = db.ChangeTracker.AutoDetectChangesEnabled;
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        try
        {
            // Provider organizations (an existing one for the listing, or a new synthetic one), saved first for their ids.
            var providerIds = providers.Select(p => p.Id).ToArray();
            var managing = await db.Organizations.AsNoTracking().Where(o => o.ProviderId != null && providerIds.Contains(o.ProviderId.Value))
                .Select(o => new { o.Id, ProviderId = o.ProviderId!.Value }).ToDictionaryAsync(o => o.ProviderId, o => o.Id, cancellationToken);
            var added = new List<(int ProviderId, Organization Organization)>();
            foreach (var provider in providerCount == 0 ? [] : providers.Where(p => !managing.ContainsKey(p.Id)))
            {
                var organization = new Organization(ProviderOrganizationPrefix + provider.Name, OrganizationKind.Provider, now);
                organization.Manages(provider.Id);
                db.Organizations.Add(organization);
                added.Add((provider.Id, organization));
            }
            await db.SaveChangesAsync(cancellationToken);
            foreach (var (providerId, organization) in added) managing[providerId] = organization.Id;
            db.ChangeTracker.Clear();

            // Interleaved, so that pages of the digest build mix both kinds: three nonprofit staff, then one provider staff.
            var people = new List<(int OrganizationId, string RoleId)>(count);
            int a = 0, b = 0;
            while (a < nonprofitCount || b < providerCount)
            {
                if (b < providerCount && (a >= nonprofitCount || (a + b) % 4 == 3))
                    people.Add((managing[providers[(providersBefore + b++) % providers.Count].Id], providerRole));
                else people.Add((nonprofits[(nonprofitsBefore + a++) % nonprofits.Count], nonprofitRole));
            }
            var n = start;
            foreach (var chunk in people.Chunk(Batch))
            {
                foreach (var (organizationId, roleId) in chunk)
                {
                    n++;
                    var email = $"digest-{n:000000}@{Domain}";
                    var user = new MarketplaceUser
                    {
                        Id = $"{IdPrefix}{n:000000}", UserName = email, NormalizedUserName = email.ToUpperInvariant(), Email = email,
                        NormalizedEmail = email.ToUpperInvariant(), EmailConfirmed = true, DisplayName = $"Personne synthétique {n:000000}",
                        OrganizationId = organizationId, Language = n % 10 == 0 ? "en" : "fr", CreatedAt = now,
                        SecurityStamp = Stamp(n, 1), ConcurrencyStamp = Stamp(n, 2),
                    };
                    db.Users.Add(user);
                    db.UserRoles.Add(new IdentityUserRole<string> { UserId = user.Id, RoleId = roleId });
                    db.Consents.Add(new Consent(user.Id, ConsentPurpose.WeeklyDigest, ConsentVersion, now));
                }
                await db.SaveChangesAsync(cancellationToken);
                db.ChangeTracker.Clear();
            }
        }
        finally
        {
            db.ChangeTracker.AutoDetectChangesEnabled = detect;
        }
        return new Outcome(nonprofitCount, providerCount);
    }

    private async Task<string> RoleIdAsync(string name)
    {
        if (!await roles.RoleExistsAsync(name)) await roles.CreateAsync(new IdentityRole(name));
        return (await roles.FindByNameAsync(name))!.Id;
    }

    // Identity wants stamps; these are deterministic so that the same counts give the same rows.
    private static string Stamp(int n, int salt) => new Guid(n, (short)salt, 0x5d16, 0, 0, 0, 0, 0, 0, 0, 0).ToString("N").ToUpperInvariant();
}
