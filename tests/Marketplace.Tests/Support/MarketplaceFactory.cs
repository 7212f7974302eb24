using Marketplace.Web.Infrastructure.Data;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Marketplace.Tests.Support;

/// <summary>The real site, on a real database of the given provider, seeded from seed-data/ at start-up.</summary>
public sealed class MarketplaceFactory(
    TestDatabases.TestDatabase database,
    string environment = "Testing",
    IReadOnlyDictionary<string, string>? settings = null,
    bool ownsDatabase = true)
    : WebApplicationFactory<Program>
{
    public TestDatabases.TestDatabase Database { get; } = database;

    /// <summary>Everything the site logged, counted (the console logger keeps writing as usual).</summary>
    public LogVolume Logs { get; } = new();

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(environment);
        builder.UseSetting("Database:Provider", Database.Provider.ToString());
        builder.UseSetting("ConnectionStrings:Marketplace", Database.ConnectionString);
        builder.UseSetting("Marketplace:DataDirectory", Database.DataDirectory);
        builder.UseSetting("Marketplace:SeedDataDirectory", Path.Combine(RepositoryRoot, "seed-data"));
        builder.UseSetting("Email:BackgroundSender", "false"); // tests deliver the outbox by hand
        builder.UseSetting("Marketplace:ReverificationReminders", "false"); // tests run the reminders by hand
        builder.UseSetting("Jobs:Enabled", "false"); // SchedulingTests starts the scheduler itself
        builder.UseSetting("Marketplace:RequireHttps", "false"); // OperationsTests checks the HTTPS requirement itself
        builder.UseSetting("Marketplace:AccountRequestsPerMinute", "100000"); // a test that checks the limit sets its own
        builder.UseSetting("Marketplace:SearchPagesPerMinute", "100000"); // likewise (HostileInputTests)
        builder.ConfigureLogging(logging => logging.AddProvider(Logs));
        if (environment == "Production")
        {
            // Production does not start on the privacy placeholders (PrivacyNoticeTests checks the refusal itself).
            builder.UseSetting("Privacy:OfficerName", "Camille Responsable");
            builder.UseSetting("Privacy:OfficerEmail", "vie-privee@organisme-test.example");
            builder.UseSetting("Privacy:Operator", "Organisme exploitant de test");
            builder.UseSetting("Privacy:HostingLocation", "Montréal (Québec), Canada");
        }
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) builder.UseSetting(key, value);
    }

    /// <summary>Serves the site on a real Kestrel port (for a browser or raw HTTP) and returns its base address.</summary>
    public string StartKestrel()
    {
        UseKestrel(0);
        StartServer();
        return Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses
            .First(a => a.StartsWith("http://", StringComparison.Ordinal)).Replace("[::]", "127.0.0.1").Replace("0.0.0.0", "127.0.0.1");
    }

    public async Task WithScopeAsync(Func<IServiceProvider, Task> action)
    {
        await using var scope = Services.CreateAsyncScope();
        await action(scope.ServiceProvider);
    }

    public async Task<T> WithScopeAsync<T>(Func<IServiceProvider, Task<T>> action)
    {
        await using var scope = Services.CreateAsyncScope();
        return await action(scope.ServiceProvider);
    }

    public async Task<T> WithDbAsync<T>(Func<MarketplaceDbContext, Task<T>> action) =>
        await WithScopeAsync(sp => action(sp.GetRequiredService<MarketplaceDbContext>()));

    /// <summary>
    /// A stored email body as the sender sends it: live links are sealed at rest (ADR 0021), and tests that follow one
    /// open it the way the sender does.
    /// </summary>
    public string Reveal(string storedBody) =>
        Services.GetRequiredService<Marketplace.Web.Infrastructure.Email.OutboxSecrets>().Reveal(storedBody);

    public static async Task<MarketplaceFactory> StartAsync(DatabaseProvider provider, IReadOnlyDictionary<string, string>? settings = null)
    {
        var database = await TestDatabases.CreateAsync(provider);
        var factory = new MarketplaceFactory(database, settings: settings);
        _ = factory.Server; // starts the host: migrations and seed-data run now
        return factory;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (ownsDatabase) await Database.DisposeAsync();
    }

    private static string FindRepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Marketplace.sln")))
            directory = directory.Parent;
        return directory?.FullName ?? throw new InvalidOperationException("Marketplace.sln not found above the test binaries.");
    }
}
