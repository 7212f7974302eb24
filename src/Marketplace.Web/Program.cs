using Marketplace.Web.Infrastructure.Cli;
using Marketplace.Web.Infrastructure.Data;
using Marketplace.Web.Infrastructure.Web;

var builder = WebApplication.CreateBuilder(args);
builder.AddMarketplace();
var app = builder.Build();

if (CommandLine.IsCommand(args))
    return await CommandLine.RunAsync(app.Services, args, Console.Out, CancellationToken.None);

try
{
    await app.InitializeDatabaseAsync();
}
catch (Marketplace.Web.Infrastructure.Seeding.SeedDataException e)
{
    // A bad seed file: one clear line, nothing written, and the site does not start (ADR 0021).
    await Console.Error.WriteLineAsync($"Erreur / error: {e.Message}");
    return 1;
}
app.UseMarketplace();
await app.RunAsync();
return 0;

/// <summary>Entry point, visible to the tests' WebApplicationFactory.</summary>
public partial class Program;
