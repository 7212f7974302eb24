using Marketplace.Web.Domain.Accounts;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Marketplace.Web.Infrastructure.Cli;

/// <summary>
/// <c>users add --email E --role admin|curator [--name N]</c> and <c>users list</c>: the first admins and curators;
/// <c>users reset-2fa --email E</c>: someone lost their phone and their recovery codes (audited, actor « cli »).
/// </summary>
internal static class UserCommands
{
    public const string Usage = "users add --email E --role admin|curator [--name N] | users list | users reset-2fa --email E";

    public static async Task<int> Run(IServiceProvider services, string[] args, TextWriter output, CancellationToken ct)
    {
        await services.GetRequiredService<Data.DatabaseInitializer>().MigrateAsync(ct);
        return args.FirstOrDefault() switch
        {
            "add" => await Add(services, args[1..], output),
            "list" when args.Length == 1 => await List(services, output, ct),
            "reset-2fa" when args.Length == 3 && args[1] == "--email" => await ResetTwoFactor(services, args[2].Trim(), output, ct),
            _ => throw new ArgumentException($"usage: {Usage}"),
        };
    }

    private static async Task<int> Add(IServiceProvider services, string[] args, TextWriter output)
    {
        string? email = null, role = null, name = null;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--email": email = args[i + 1].Trim(); break;
                case "--role": role = args[i + 1].Trim().ToLowerInvariant(); break;
                case "--name": name = args[i + 1].Trim(); break;
                default: throw new ArgumentException($"argument inattendu / unexpected argument: {args[i]} ({Usage})");
            }
        }
        if (args.Length % 2 != 0) throw new ArgumentException($"usage: {Usage}");
        var roleName = role switch
        {
            "admin" => Roles.Admin,
            "curator" => Roles.Curator,
            _ => throw new ArgumentException("--role doit valoir admin ou curator / --role must be admin or curator"),
        };
        if (string.IsNullOrWhiteSpace(email) || !email.Contains('@')) throw new ArgumentException("--email: adresse invalide / invalid address");

        var users = services.GetRequiredService<UserManager<MarketplaceUser>>();
        var roles = services.GetRequiredService<RoleManager<IdentityRole>>();
        foreach (var r in Roles.All)
            if (!await roles.RoleExistsAsync(r)) Check(await roles.CreateAsync(new IdentityRole(r)));

        var user = await users.FindByEmailAsync(email);
        if (user is null)
        {
            user = new MarketplaceUser
            {
                UserName = email, Email = email, EmailConfirmed = true, DisplayName = name ?? email.Split('@')[0],
                CreatedAt = services.GetRequiredService<TimeProvider>().GetUtcNow(),
            };
            Check(await users.CreateAsync(user));
        }
        var granted = new List<string> { roleName };
        if (roleName == Roles.Admin) granted.Add(Roles.Curator); // an admin can also decide listings
        foreach (var r in granted)
            if (!await users.IsInRoleAsync(user, r)) Check(await users.AddToRoleAsync(user, r));

        var token = await users.GeneratePasswordResetTokenAsync(user);
        var site = services.GetRequiredService<IOptions<MarketplaceOptions>>().Value;
        var link = Email.EmailBodies.Link(site.PublicBaseUrl, "fr/compte/definir-mot-de-passe",
            new Dictionary<string, string?> { ["user"] = user.Id, ["token"] = token });
        await output.WriteLineAsync($"{email}: {string.Join(", ", granted)}");
        await output.WriteLineAsync("Lien à usage unique pour choisir le mot de passe / one-time link to set the password:");
        await output.WriteLineAsync(link);
        return 0;
    }

    private static async Task<int> ResetTwoFactor(IServiceProvider services, string email, TextWriter output, CancellationToken ct)
    {
        var users = services.GetRequiredService<UserManager<MarketplaceUser>>();
        var user = await users.FindByEmailAsync(email)
                   ?? throw new ArgumentException($"aucun compte pour / no account for {email}");
        await services.GetRequiredService<Features.TwoFactor.TwoFactorReset>().HandleAsync(user, "cli", ct);
        await output.WriteLineAsync($"{email}: double authentification désactivée; à configurer de nouveau à la prochaine connexion / "
                                    + "two-factor authentication turned off; to be set up again at the next sign-in");
        return 0;
    }

    private static async Task<int> List(IServiceProvider services, TextWriter output, CancellationToken ct)
    {
        var db = services.GetRequiredService<Data.MarketplaceDbContext>();
        var rows = await (from u in db.Users
                          orderby u.Email
                          select new
                          {
                              u.Email, u.EmailConfirmed, u.TwoFactorEnabled, u.LockoutEnd,
                              Roles = (from ur in db.UserRoles join r in db.Roles on ur.RoleId equals r.Id where ur.UserId == u.Id select r.Name).ToList(),
                          }).ToListAsync(ct);
        await output.WriteLineAsync($"{"courriel / email",-40} {"rôles / roles",-28} confirmé 2FA");
        foreach (var u in rows)
            await output.WriteLineAsync($"{u.Email,-40} {string.Join(",", u.Roles.Order()),-28} {(u.EmailConfirmed ? "oui" : "non"),-8} {(u.TwoFactorEnabled ? "oui" : "non")}");
        await output.WriteLineAsync($"{rows.Count} compte(s) / account(s)");
        return 0;
    }

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded) throw new ArgumentException(string.Join("; ", result.Errors.Select(e => e.Code)));
    }
}
