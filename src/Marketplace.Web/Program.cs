using Marketplace.Web.Infrastructure.Cli;
using Marketplace.Web.Infrastructure.Data;
using Marketplace.Web.Infrastructure.Web;

var builder = WebApplication.CreateBuilder(args);
builder.AddMarketplace();
var app = builder.Build();

if (CommandLine.IsCommand(args))
    return await CommandLine.RunAsync(app.Services, args, Console.Out, CancellationToken.None);

await app.InitializeDatabaseAsync();
app.UseMarketplace();
await app.RunAsync();
return 0;

/// <summary>Entry point, visible to the tests' WebApplicationFactory.</summary>
public partial class Program;
