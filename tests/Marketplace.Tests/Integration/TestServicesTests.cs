using System.Net.Mail;
using Marketplace.Tests.Support;
using Npgsql;

namespace Marketplace.Tests.Integration;

/// <summary>
/// The services the whole suite runs on (ADR 0033): the run's PostgreSQL has the settings the fixtures rely on, whether
/// Testcontainers started it from the official image or from local/postgres:15, and the SMTP container writes what it
/// accepts where Mailbox reads it, in files the tests may read and delete.
/// </summary>
public sealed class TestServicesTests
{
    [Test]
    public async Task The_run_postgres_reports_error_details_takes_many_connections_and_skips_durability()
    {
        var admin = new NpgsqlConnectionStringBuilder(await TestServices.PostgresAsync());
        Assert.That(admin.IncludeErrorDetail, Is.True, "constraint violations name the values in test failures");
        if (Environment.GetEnvironmentVariable(TestServices.PostgresVariable) is { Length: > 0 })
            Assert.Ignore($"{TestServices.PostgresVariable} names an existing PostgreSQL, which keeps its own settings.");

        await using var connection = new NpgsqlConnection(admin.ConnectionString);
        await connection.OpenAsync();
        async Task<string> Show(string setting)
        {
            await using var command = new NpgsqlCommand($"SHOW {setting}", connection);
            return (string)(await command.ExecuteScalarAsync())!;
        }
        Assert.That(int.Parse(await Show("max_connections")), Is.GreaterThanOrEqualTo(200));
        Assert.That(await Show("fsync"), Is.EqualTo("off"));
        Assert.That(await Show("synchronous_commit"), Is.EqualTo("off"));
        Assert.That(await Show("full_page_writes"), Is.EqualTo("off"));
        Assert.That(await Show("server_encoding"), Is.EqualTo("UTF8"));
    }

    [Test]
    public async Task The_smtp_server_writes_each_accepted_message_as_it_arrived_where_the_mailbox_reads_it()
    {
        var to = $"conteneur-{Guid.NewGuid():N}@exemple.invalid";
        using (var client = new SmtpClient(Mailbox.SmtpHost, Mailbox.SmtpPort))
        using (var mail = new MailMessage("no-reply@panier.invalid", to, "Essai du serveur de test", "Bonjour\r\n"))
        {
            mail.Headers.Add("Message-ID", $"<{Guid.NewGuid():N}@panier.invalid>");
            await client.SendMailAsync(mail);
        }

        var files = System.IO.Directory.GetFiles(Mailbox.Directory).Where(f => File.ReadAllText(f).Contains(to)).ToArray();
        Assert.That(files, Has.Length.EqualTo(1), "the server renames each message into new/ before it answers 250");
        var message = Mailbox.Read(files[0]);
        Assert.That(message.Headers["X-RcptTo"], Is.EqualTo(to), "tests/lib/raw_maildir.py's trace header: the handler the tests use");
        Assert.That(message.Subject, Is.EqualTo("Essai du serveur de test"));
        Assert.That(message.Raw, Does.Contain("Bonjour"));
        File.Delete(files[0]);
        Assert.That(Mailbox.For(to), Is.Empty, "the tests may delete what the container wrote");
    }
}
