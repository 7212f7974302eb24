using System.Net.Mail;
using Marketplace.Tests.Support;
using Marketplace.Web.Infrastructure;
using Marketplace.Web.Infrastructure.Data;
using Marketplace.Web.Infrastructure.Email;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Marketplace.Tests.Integration;

/// <summary>The email outbox on a real database, delivered as .eml files and to a real SMTP server.</summary>
[TestFixture(DatabaseProvider.Sqlite)]
[TestFixture(DatabaseProvider.Postgres)]
public sealed class OutboxTests(DatabaseProvider provider)
{
    private MarketplaceFactory _factory = null!;
    private readonly MovableTime _time = new(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));

    [OneTimeSetUp]
    public async Task Start() => _factory = await MarketplaceFactory.StartAsync(provider);

    [OneTimeTearDown]
    public async Task Stop() => await _factory.DisposeAsync();

    private static OutboxEmail Email(string to, string subject) =>
        new(to, subject, "Bonjour,\nVotre fiche a été approuvée.\n", "<p>Bonjour,</p><p>Votre fiche a été <strong>approuvée</strong>.</p>",
            "fr", $"<{Guid.NewGuid():N}@panier.invalid>", new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));

    private async Task<(int Sent, int Failed)> DeliverAsync(IEmailTransport transport) =>
        await _factory.WithScopeAsync(sp => new OutboxDelivery(sp.GetRequiredService<MarketplaceDbContext>(), transport, _time,
            sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<EmailOptions>>(), NullLogger<OutboxDelivery>.Instance).DeliverDueAsync(100, CancellationToken.None));

    private async Task<long> EnqueueAsync(OutboxEmail email)
    {
        await _factory.WithScopeAsync(async sp =>
        {
            var db = sp.GetRequiredService<MarketplaceDbContext>();
            db.OutboxEmails.Add(email);
            await db.SaveChangesAsync();
        });
        return email.Id;
    }

    private async Task ClearAsync() =>
        await _factory.WithDbAsync(db => db.OutboxEmails.ExecuteDeleteAsync());

    [Test]
    public async Task Emails_become_eml_files_once_with_a_text_and_an_html_part()
    {
        await ClearAsync();
        var email = Email("fournisseur@exemple.invalid", "Votre fiche « Atelier » est publiée");
        await EnqueueAsync(email);
        var mailDirectory = Path.Combine(_factory.Database.DataDirectory, "mail");
        var transport = new FileEmailTransport(
            Options.Create(new MarketplaceOptions { DataDirectory = _factory.Database.DataDirectory }), Options.Create(new EmailOptions()));

        Assert.That(await DeliverAsync(transport), Is.EqualTo((1, 0)));
        Assert.That(await DeliverAsync(transport), Is.EqualTo((0, 0)), "a sent email is never sent again");

        var files = Directory.GetFiles(mailDirectory, "*.eml").Where(f => File.ReadAllText(f).Contains(email.MessageId)).ToArray();
        Assert.That(files, Has.Length.EqualTo(1));
        var raw = await File.ReadAllTextAsync(files[0]);
        Assert.That(raw, Does.Contain("Message-ID: " + email.MessageId));
        Assert.That(raw, Does.Contain("multipart/alternative").And.Contain("text/plain").And.Contain("text/html"));
        Assert.That(raw, Does.Contain("Subject: =?utf-8?"), "the French subject is encoded");
        var row = await _factory.WithDbAsync(db => db.OutboxEmails.SingleAsync(e => e.Id == email.Id));
        Assert.That(row.SentAt, Is.EqualTo(_time.GetUtcNow()));
        Assert.That(row.Attempts, Is.EqualTo(1));
    }

    [Test]
    public async Task Emails_reach_a_real_smtp_server()
    {
        await ClearAsync();
        var maildir = Mailbox.Directory;
        var to = $"{provider.ToString().ToLowerInvariant()}-{Guid.NewGuid():N}@exemple.invalid";
        var email = Email(to, "Demande de modifications : « Atelier »\r\nBcc: intrus@exemple.invalid");
        await EnqueueAsync(email);

        var transport = new SmtpEmailTransport(Options.Create(new EmailOptions { SmtpHost = Mailbox.SmtpHost, SmtpPort = Mailbox.SmtpPort }));
        Assert.That(await DeliverAsync(transport), Is.EqualTo((1, 0)));

        var received = Directory.GetFiles(maildir).Select(File.ReadAllText).Where(m => m.Contains(to)).ToArray();
        Assert.That(received, Has.Length.EqualTo(1));
        Assert.That(received[0], Does.Contain(email.MessageId));
        Assert.That(received[0], Does.Not.Match("(?m)^Bcc:"), "a typed line break can never add a header");
        Assert.That(received[0], Does.Contain("text/plain").And.Contain("text/html"));
    }

    [Test]
    public async Task An_smtp_connection_turns_nagle_off_so_no_message_waits_for_a_delayed_ack()
    {
        // NoDelay reaches System.Net.Mail's socket through private fields: this fails first if a runtime renames them.
        Assert.That(NoDelay.Supported, Is.True, "SmtpClient._transport._connection._tcpClient is gone: see NoDelay");
        using var client = new SmtpClient(Mailbox.SmtpHost, Mailbox.SmtpPort);
        Assert.That(NoDelay.TrySet(client), Is.EqualTo("not connected"));
        for (var i = 0; i < 2; i++)
        {
            using var mail = new MailMessage("no-reply@panier.invalid", $"nagle-{i}@exemple.invalid", "Essai", "Bonjour");
            await client.SendMailAsync(mail);
            Assert.That(NoDelay.TrySet(client), Is.Null, "connected: Nagle is off on its socket");
        }
    }

    [Test]
    public async Task Parallel_sender_loops_send_each_email_once_at_the_configured_pace()
    {
        await ClearAsync();
        const int count = 60;
        var emails = Enumerable.Range(0, count).Select(i => Email($"parallele-{i:00}@exemple.invalid", $"Essai {i}")).ToList();
        await _factory.WithScopeAsync(async sp =>
        {
            var db = sp.GetRequiredService<MarketplaceDbContext>();
            db.OutboxEmails.AddRange(emails);
            await db.SaveChangesAsync();
        });
        var mailDirectory = Path.Combine(_factory.Database.DataDirectory, "mail");
        var before = Directory.Exists(mailDirectory) ? Directory.GetFiles(mailDirectory).Length : 0;
        var files = new FileEmailTransport(
            Options.Create(new MarketplaceOptions { DataDirectory = _factory.Database.DataDirectory }), Options.Create(new EmailOptions()));
        // Four loops, each claiming its own batches (the batch size is 50: two loops race for the same first rows), all
        // paced together at 40 messages per second: 60 messages take at least 59/40 s.
        var options = Options.Create(new EmailOptions { SendParallelism = 4, MessagesPerSecond = 40 });
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var outcome = await _factory.WithScopeAsync(sp => new OutboxDelivery(sp.GetRequiredService<MarketplaceDbContext>(), files, _time, options,
            NullLogger<OutboxDelivery>.Instance, sp.GetRequiredService<IServiceScopeFactory>()).DeliverDueAsync(1000, CancellationToken.None));
        clock.Stop();

        Assert.That(outcome, Is.EqualTo((count, 0)));
        Assert.That(clock.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds((count - 1) / 40.0) - TimeSpan.FromMilliseconds(50)),
            "the pace holds for all the loops together");
        var sent = Directory.GetFiles(mailDirectory).Select(File.ReadAllText).Where(m => m.Contains("parallele-")).ToList();
        Assert.That(Directory.GetFiles(mailDirectory).Length - before, Is.EqualTo(count));
        Assert.That(emails.Select(e => sent.Count(m => m.Contains(e.MessageId))), Is.All.EqualTo(1), "each email exactly once");
        Assert.That(await _factory.WithDbAsync(db => db.OutboxEmails.CountAsync(e => e.SentAt != null && e.LeaseToken == null && e.Attempts == 1)),
            Is.EqualTo(count));
        Assert.That(await DeliverAsync(files), Is.EqualTo((0, 0)), "a sent email is never sent again");
    }

    [Test]
    public async Task A_failed_delivery_is_retried_later_with_back_off_and_nothing_is_lost()
    {
        await ClearAsync();
        var email = Email("personne@exemple.invalid", "Essai");
        await EnqueueAsync(email);
        // Nothing listens on port 1: the transport fails.
        var broken = new SmtpEmailTransport(Options.Create(new EmailOptions { SmtpHost = "127.0.0.1", SmtpPort = 1 }));
        Assert.That(await DeliverAsync(broken), Is.EqualTo((0, 1)));
        var row = await _factory.WithDbAsync(db => db.OutboxEmails.SingleAsync(e => e.Id == email.Id));
        Assert.That((row.Attempts, row.SentAt), Is.EqualTo((1, (DateTimeOffset?)null)));
        Assert.That(row.LastError, Is.Not.Null);
        Assert.That(row.NextAttemptAt, Is.EqualTo(_time.GetUtcNow().AddMinutes(1)));

        // Not due yet: nothing is tried.
        Assert.That(await DeliverAsync(broken), Is.EqualTo((0, 0)));
        _time.Advance(TimeSpan.FromMinutes(1));
        var files = new FileEmailTransport(
            Options.Create(new MarketplaceOptions { DataDirectory = _factory.Database.DataDirectory }), Options.Create(new EmailOptions()));
        Assert.That(await DeliverAsync(files), Is.EqualTo((1, 0)));
        row = await _factory.WithDbAsync(db => db.OutboxEmails.SingleAsync(e => e.Id == email.Id));
        Assert.That((row.Attempts, row.SentAt is not null, row.LastError), Is.EqualTo((2, true, (string?)null)));
    }
}
