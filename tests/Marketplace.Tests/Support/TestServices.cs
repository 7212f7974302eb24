using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Security.Cryptography;
using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Containers;
using Npgsql;
using Testcontainers.PostgreSql;

namespace Marketplace.Tests.Support;

/// <summary>
/// The PostgreSQL server and the SMTP server the integration tests talk to (ADR 0033): containers that Testcontainers
/// starts once per test run, at the first test that needs each one, shared by every fixture and disposed at the end by
/// <see cref="TestRun"/>; or services a developer already runs, named by environment variables (then no container).
/// </summary>
/// <remarks>
/// Configuration (environment variables): <c>MARKETPLACE_TEST_POSTGRES</c> (an admin connection string: no container),
/// <c>MARKETPLACE_TEST_POSTGRES_IMAGE</c> (default <c>postgres:17</c>), <c>MARKETPLACE_TEST_SMTP_PORT</c> with
/// <c>MARKETPLACE_TEST_MAILDIR</c> and optionally <c>MARKETPLACE_TEST_SMTP_HOST</c> (an SMTP server writing to that
/// Maildir: no container), <c>MARKETPLACE_TEST_SMTP_IMAGE</c> (default: built from tests/docker/smtp/Dockerfile,
/// on <c>MARKETPLACE_TEST_SMTP_BASE_IMAGE</c> when set). tests/run.sh builds local images and names them.
/// </remarks>
public static class TestServices
{
    public const string PostgresVariable = "MARKETPLACE_TEST_POSTGRES";
    public const string PostgresImageVariable = "MARKETPLACE_TEST_POSTGRES_IMAGE";
    public const string SmtpHostVariable = "MARKETPLACE_TEST_SMTP_HOST";
    public const string SmtpPortVariable = "MARKETPLACE_TEST_SMTP_PORT";
    public const string MaildirVariable = "MARKETPLACE_TEST_MAILDIR";
    public const string SmtpImageVariable = "MARKETPLACE_TEST_SMTP_IMAGE";
    public const string SmtpBaseImageVariable = "MARKETPLACE_TEST_SMTP_BASE_IMAGE";

    /// <summary>The official image, on a machine that reaches a registry.</summary>
    public const string DefaultPostgresImage = "postgres:17";

    /// <summary>The name the tests give the SMTP image they build from tests/docker/smtp/Dockerfile.</summary>
    public const string BuiltSmtpImage = "marketplace-tests/smtp:aiosmtpd";

    /// <summary>Marks this run's containers, so that tests/run.sh can remove any that a crashed run left behind.</summary>
    public const string RunLabel = "org.marketplace.tests.run";

    private const ushort SmtpContainerPort = 2525;

    /// <summary>An SMTP server and the host directory of the Maildir it writes every accepted message to.</summary>
    public sealed record SmtpServer(string Host, int Port, string Maildir);

    private static readonly Lazy<Task<string>> _postgres = new(StartPostgresAsync);
    private static readonly Lazy<Task<SmtpServer>> _smtp = new(StartSmtpAsync);
    private static readonly ConcurrentStack<IAsyncDisposable> _containers = new();
    private static string? _ownMaildir;

    private static string RunId { get; } =
        Environment.GetEnvironmentVariable("MARKETPLACE_TEST_RUN_ID") is { Length: > 0 } id ? id : "dotnet-test-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>A superuser connection string (no particular database needed) to the run's PostgreSQL.</summary>
    public static Task<string> PostgresAsync() => _postgres.Value;

    /// <summary>The run's PostgreSQL, once started (blocks the first time, while the container starts).</summary>
    public static string PostgresAdminConnectionString => _postgres.Value.GetAwaiter().GetResult();

    /// <summary>The run's SMTP server, once started (blocks the first time, while the container starts).</summary>
    public static SmtpServer Smtp => _smtp.Value.GetAwaiter().GetResult();

    /// <summary>Stops and removes the containers this run started (no reaper does it: Ryuk is off where no registry is).</summary>
    public static async Task DisposeAsync()
    {
        while (_containers.TryPop(out var container))
        {
            try { await container.DisposeAsync(); }
            catch (Exception e) { await TestContext.Progress.WriteLineAsync($"A test container could not be removed: {e.Message}"); }
        }
        if (_ownMaildir is not null)
        {
            try { Directory.Delete(_ownMaildir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private static async Task<string> StartPostgresAsync()
    {
        var configured = Environment.GetEnvironmentVariable(PostgresVariable);
        string connectionString;
        if (!string.IsNullOrWhiteSpace(configured))
        {
            connectionString = configured;
        }
        else
        {
            var image = Setting(PostgresImageVariable) ?? DefaultPostgresImage;
            // The builder already turns fsync, full_page_writes and synchronous_commit off (speed, not durability);
            // a few fixtures keep several hosts and their pools open at once.
            // The engine publishes the port on every interface for the run: no well-known password.
            var container = new PostgreSqlBuilder(image)
                .WithPassword(Convert.ToHexString(RandomNumberGenerator.GetBytes(16)))
                .WithCommand("-c", "max_connections=200")
                .WithLabel(RunLabel, RunId)
                .Build();
            await StartAsync(container, $"PostgreSQL ({image})");
            connectionString = container.GetConnectionString();
        }
        return new NpgsqlConnectionStringBuilder(connectionString) { IncludeErrorDetail = true }.ConnectionString;
    }

    private static async Task<SmtpServer> StartSmtpAsync()
    {
        var port = Setting(SmtpPortVariable);
        var maildir = Setting(MaildirVariable);
        if (port is not null && maildir is not null)
            return new SmtpServer(Setting(SmtpHostVariable) ?? "127.0.0.1", int.Parse(port), maildir);

        // The container writes into a host directory (bind mount) that Mailbox reads. It may run as another user than
        // the tests (root, in the image): the Maildir's folders are created here, writable by all, so that the tests
        // can read and delete what it writes.
        var directory = Path.Combine(Path.GetTempPath(), "marketplace-tests", "smtp-" + Guid.NewGuid().ToString("N")[..12]);
        foreach (var folder in new[] { "", "tmp", "new", "cur" })
        {
            var path = Path.Combine(directory, folder);
            Directory.CreateDirectory(path);
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, (UnixFileMode)0b111_111_111);
        }
        _ownMaildir = directory;

        var image = Setting(SmtpImageVariable) ?? await BuildSmtpImageAsync();
        var container = new ContainerBuilder(image)
            .WithPortBinding(SmtpContainerPort, assignRandomHostPort: true)
            .WithBindMount(directory, "/maildir")
            .WithLabel(RunLabel, RunId)
            .Build();
        await StartAsync(container, $"SMTP server ({image})");
        var server = new SmtpServer(container.Hostname, container.GetMappedPublicPort(SmtpContainerPort), directory);
        await WaitForGreetingAsync(server);
        return server;
    }

    /// <summary>On a machine with a registry: the SMTP image from tests/docker/smtp/Dockerfile (python:3-slim by default).</summary>
    private static async Task<string> BuildSmtpImageAsync()
    {
        var builder = new ImageFromDockerfileBuilder()
            .WithDockerfileDirectory(Path.Combine(MarketplaceFactory.RepositoryRoot, "tests"))
            .WithDockerfile("docker/smtp/Dockerfile")
            .WithName(BuiltSmtpImage)
            .WithDeleteIfExists(false)
            .WithCleanUp(false);
        if (Setting(SmtpBaseImageVariable) is { } baseImage) builder = builder.WithBuildArgument("BASE_IMAGE", baseImage);
        var image = builder.Build();
        try
        {
            await image.CreateAsync();
        }
        catch (Exception e) when (e is not DockerUnavailableException)
        {
            throw new InvalidOperationException(
                $"The SMTP image could not be built from tests/docker/smtp/Dockerfile ({e.Message}). Without a registry, run `bash tests/run.sh` " +
                $"(it builds local images), or set {SmtpImageVariable} to an image that has it.", e);
        }
        return image.FullName;
    }

    private static async Task StartAsync(IContainer container, string what)
    {
        _containers.Push(container);
        try
        {
            await container.StartAsync();
        }
        catch (Exception e)
        {
            throw new InvalidOperationException(
                $"The tests' {what} container did not start: {e.Message} The integration tests need a Docker engine (or " +
                $"{PostgresVariable}, and {SmtpPortVariable} with {MaildirVariable}, naming services that already run); " +
                "`bash tests/run.sh` installs and starts everything.", e);
        }
    }

    /// <summary>
    /// Ready means the server greets: the engine's port proxy accepts connections before the server inside listens.
    /// </summary>
    private static async Task WaitForGreetingAsync(SmtpServer server)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(server.Host, server.Port);
                using var reader = new StreamReader(client.GetStream());
                var read = reader.ReadLineAsync();
                if (await Task.WhenAny(read, Task.Delay(2000)) == read && (await read)?.StartsWith("220", StringComparison.Ordinal) == true)
                    return;
            }
            catch (SocketException) { }
            catch (IOException) { }
            if (DateTime.UtcNow > deadline)
                throw new InvalidOperationException($"The tests' SMTP server on {server.Host}:{server.Port} never greeted.");
            await Task.Delay(100);
        }
    }

    private static string? Setting(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value ? value : null;
}
