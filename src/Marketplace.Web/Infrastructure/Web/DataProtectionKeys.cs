using System.Xml.Linq;
using Marketplace.Web.Infrastructure.Data;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Marketplace.Web.Infrastructure.Web;

/// <summary>
/// The Data Protection key ring lives in the database, so that every instance of the site reads the same keys: a
/// sign-in cookie, an antiforgery token, a password link or a sealed outbox body (ADR 0021) made by one instance is read
/// by any other (ADR 0034). Before, each instance kept its keys in <c>&lt;DataDirectory&gt;/keys</c>.
/// </summary>
public static class DataProtectionKeys
{
    /// <summary>Where the keys lived before ADR 0034, under the data directory.</summary>
    public const string LegacyDirectoryName = "keys";

    public static void AddMarketplaceDataProtection(this IServiceCollection services, MarketplaceOptions options)
    {
        services.AddDataProtection()
            .SetApplicationName("Marketplace")
            .PersistKeysToDbContext<MarketplaceDbContext>();
        // Registered after PersistKeysToDbContext's own options, so it wraps the database repository that one sets.
        var legacyDirectory = Path.Combine(options.DataDirectory, LegacyDirectoryName);
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(sp => new ConfigureOptions<KeyManagementOptions>(o =>
            o.XmlRepository = new LegacyKeyImport(o.XmlRepository
                    ?? throw new InvalidOperationException("PersistKeysToDbContext set no key repository."),
                sp, legacyDirectory, sp.GetRequiredService<ILogger<LegacyKeyImport>>())));
    }
}

/// <summary>
/// Wraps the database key repository: before the key ring is first read or written in this process, keys an older
/// version kept in <c>&lt;DataDirectory&gt;/keys</c> are copied into the database when it holds none yet, so that
/// nothing they protect (sealed email links waiting in the outbox, sign-in cookies, antiforgery tokens) becomes
/// unreadable. The files are left where they are (a backup); once the database holds a key they are never read again.
/// </summary>
public sealed class LegacyKeyImport(IXmlRepository database, IServiceProvider services, string legacyDirectory, ILogger<LegacyKeyImport> logger)
    : IXmlRepository
{
    private readonly Lock _gate = new();
    private volatile bool _done;

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        EnsureImported();
        return database.GetAllElements();
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        EnsureImported();
        database.StoreElement(element, friendlyName);
    }

    private void EnsureImported()
    {
        if (_done) return;
        lock (_gate)
        {
            if (_done) return;
            // A database that is not migrated yet throws here, as the repository itself would: tried again next time.
            Import();
            _done = true;
        }
    }

    /// <summary>Copies the old key files into an empty key table; returns how many were copied (0 when none or not empty).</summary>
    internal int Import()
    {
        var directory = new DirectoryInfo(legacyDirectory);
        if (!directory.Exists) return 0;
        // The file repository names each file after the element's friendly name (key-{id}.xml, revocation-….xml).
        var files = directory.GetFiles("*.xml").OrderBy(f => f.Name, StringComparer.Ordinal).ToList();
        if (files.Count == 0) return 0;
        using var scope = services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<MarketplaceDbContext>();
        if (db.DataProtectionKeys.Any()) return 0;
        foreach (var file in files)
            db.DataProtectionKeys.Add(new DataProtectionKey
            {
                FriendlyName = Path.GetFileNameWithoutExtension(file.Name),
                Xml = XElement.Load(file.FullName).ToString(SaveOptions.DisableFormatting),
            });
        try
        {
            db.SaveChanges();
        }
        catch (DbUpdateException) when (AnyKeyStored())
        {
            // Another instance imported the same files at the same moment (the names are unique): theirs are the same keys.
            logger.LogInformation("Data Protection keys: another instance imported the keys of {Directory} first", legacyDirectory);
            return 0;
        }
        logger.LogWarning("Data Protection keys: {Count} key file(s) of {Directory} imported into the database (ADR 0034); the files are no longer read",
            files.Count, legacyDirectory);
        return files.Count;
    }

    private bool AnyKeyStored()
    {
        using var scope = services.CreateScope();
        return scope.ServiceProvider.GetRequiredService<MarketplaceDbContext>().DataProtectionKeys.Any();
    }
}
