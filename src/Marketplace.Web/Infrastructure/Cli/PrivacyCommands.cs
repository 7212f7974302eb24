using Marketplace.Web.Domain.Accounts;
using Microsoft.AspNetCore.Identity;

namespace Marketplace.Web.Infrastructure.Cli;

/// <summary>
/// <c>privacy export --email E --out FILE</c>: the person in charge answers a request for access (Law 25, s. 27; 30 days)
/// with the same ZIP as « Mes données », audited with actor « cli ».
/// </summary>
internal static class PrivacyCommands
{
    public const string Usage = "privacy export --email E --out FILE";

    public static async Task<int> Run(IServiceProvider services, string[] args, TextWriter output, CancellationToken ct)
    {
        if (args is not ["export", .. var rest] || rest.Length != 4) throw new ArgumentException($"usage: {Usage}");
        string? email = null, file = null;
        for (var i = 0; i < rest.Length; i += 2)
        {
            switch (rest[i])
            {
                case "--email": email = rest[i + 1].Trim(); break;
                case "--out": file = rest[i + 1]; break;
                default: throw new ArgumentException($"argument inattendu / unexpected argument: {rest[i]} ({Usage})");
            }
        }
        if (string.IsNullOrWhiteSpace(email) || string.IsNullOrWhiteSpace(file)) throw new ArgumentException($"usage: {Usage}");
        await services.GetRequiredService<Data.DatabaseInitializer>().MigrateAsync(ct);
        var user = await services.GetRequiredService<UserManager<MarketplaceUser>>().FindByEmailAsync(email)
                   ?? throw new ArgumentException($"aucun compte pour / no account for {email}");
        var path = Path.GetFullPath(file);
        // A new file only: an export never overwrites anything.
        await using (var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true))
            await services.GetRequiredService<Features.Privacy.PersonalDataExport>().WriteAsync(user.Id, stream, "cli", ct);
        await output.WriteLineAsync($"{email}: données exportées dans / data exported to {path} (à remettre à la personne dans les 30 jours / to hand to the person within 30 days)");
        return 0;
    }
}
