using System.Text.RegularExpressions;
using Marketplace.Tests.Support;
using Marketplace.Web.Infrastructure;
using Marketplace.Web.Infrastructure.Data;
using Marketplace.Web.Infrastructure.Email;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Marketplace.Tests.Integration;

/// <summary>
/// Issue 12, defect 4: a database dump or a backup gives no live link (set-password, reset, confirmation, claim); sent
/// bodies are emptied after the retention period (ADR 0021).
/// </summary>
[TestFixture(DatabaseProvider.Sqlite)]
[TestFixture(DatabaseProvider.Postgres)]
public sealed class MailAtRestTests(DatabaseProvider provider)
{
    private MarketplaceFactory _factory = null!;

    [OneTimeSetUp]
    public async Task Start() => _factory = await MarketplaceFactory.StartAsync(provider);

    [OneTimeTearDown]
    public async Task Stop() => await _factory.DisposeAsync();

    private Task<(int Sent, int Failed)> DeliverAsync(TimeProvider time, double retentionDays = 30) =>
        _factory.WithScopeAsync(sp => new OutboxDelivery(sp.GetRequiredService<MarketplaceDbContext>(), sp.GetRequiredService<IEmailTransport>(),
            time, Options.Create(new EmailOptions { SendParallelism = 1, SentBodyRetentionDays = retentionDays }), NullLogger<OutboxDelivery>.Instance,
            secrets: sp.GetRequiredService<OutboxSecrets>()).DeliverDueAsync(1000, CancellationToken.None));

    // Issue 14: the retention job clears them now (Retention:EmailBodyDays), no longer the outbox sender.
    private Task<int> PurgeAsync(TimeProvider time, int retentionDays) =>
        _factory.WithScopeAsync(sp => ActivatorUtilities.CreateInstance<Marketplace.Web.Infrastructure.Jobs.RetentionRun>(sp,
                Options.Create(new RetentionOptions { EmailBodyDays = retentionDays }))
            .ClearEmailBodiesAsync(time.GetUtcNow(), CancellationToken.None));

    [Test]
    public async Task A_reset_email_keeps_no_live_token_at_rest_before_or_after_it_is_sent()
    {
        var email = $"repos-{provider.ToString().ToLowerInvariant()}@exemple.invalid";
        using (var _ = await CurationJourneyTests.SignUpAsync(_factory, email, $"Maison au repos ({provider})", "Nonprofit")) { }
        using var browsing = new Browsing(_factory);
        var (_, forgot) = await browsing.GetAsync("/fr/mot-de-passe-oublie");
        var (asked, _) = await browsing.SubmitAsync(forgot, "form.stacked-form", new Dictionary<string, string> { ["email"] = email });
        asked.IsRedirectTo("/fr/connexion");

        var stored = await _factory.WithDbAsync(db => db.OutboxEmails.AsNoTracking().Where(e => e.To == email).OrderByDescending(e => e.Id).FirstAsync());
        var token = Regex.Match(_factory.Reveal(stored.TextBody), @"/fr/compte/definir-mot-de-passe\?user=[^&\s]+&token=(\S+)").Groups[1].Value;
        Assert.That(token, Has.Length.GreaterThan(20), "the link the person gets carries the token");
        Assert.That(stored.TextBody, Does.Not.Contain(token).And.Contain("/fr/compte/definir-mot-de-passe?").And.Contain(OutboxSecrets.Marker),
            "before sending, the stored text shows the page, never the token");
        Assert.That(stored.HtmlBody, Does.Not.Contain(token).And.Contain(OutboxSecrets.Marker));

        var delivered = await DeliverAsync(TimeProvider.System);
        Assert.That(delivered.Failed, Is.Zero);
        var file = Directory.GetFiles(Path.Combine(_factory.Database.DataDirectory, "mail"), "*.eml")
            .Select(Mailbox.Read).Single(m => m.MessageId == stored.MessageId);
        Assert.That(file.Text, Does.Contain("token=" + token), "the message that leaves has the working link");
        Assert.That(file.Html, Does.Contain("token=" + token));

        var sent = await _factory.WithDbAsync(db => db.OutboxEmails.AsNoTracking().SingleAsync(e => e.Id == stored.Id));
        Assert.That(sent.SentAt, Is.Not.Null);
        Assert.That(sent.TextBody + sent.HtmlBody, Does.Not.Contain(token).And.Not.Contain(OutboxSecrets.Marker), "once sent, nothing of the token stays");
        Assert.That(sent.TextBody, Does.Contain("/fr/compte/definir-mot-de-passe?"), "what stays says which page the link opened");
        Assert.That((sent.Subject, sent.To, sent.MessageId), Is.EqualTo((stored.Subject, stored.To, stored.MessageId)));
    }

    [Test]
    public async Task Sent_bodies_are_emptied_once_the_retention_period_has_passed()
    {
        var time = new MovableTime(new DateTimeOffset(2027, 3, 1, 12, 0, 0, TimeSpan.Zero));
        await _factory.WithDbAsync(db => db.OutboxEmails.Where(e => e.SentAt == null).ExecuteDeleteAsync());
        var email = new OutboxEmail($"retention-{provider}@exemple.invalid", "Votre fiche est publiée", "Bonjour,\nVotre fiche est publiée.\n",
            "<p>Bonjour,</p>", "fr", $"<{Guid.NewGuid():N}@panier.invalid>", time.GetUtcNow());
        await _factory.WithDbAsync(async db => { db.OutboxEmails.Add(email); return await db.SaveChangesAsync(); });
        Assert.That(await DeliverAsync(time), Is.EqualTo((1, 0)));

        time.Advance(TimeSpan.FromDays(29));
        await PurgeAsync(time, retentionDays: 30);
        var kept = await _factory.WithDbAsync(db => db.OutboxEmails.AsNoTracking().SingleAsync(e => e.Id == email.Id));
        Assert.That(kept.TextBody, Does.Contain("Votre fiche est publiée"), "within the retention period the body stays");

        time.Advance(TimeSpan.FromDays(2));
        Assert.That(await PurgeAsync(time, retentionDays: 30), Is.GreaterThanOrEqualTo(1));
        var purged = await _factory.WithDbAsync(db => db.OutboxEmails.AsNoTracking().SingleAsync(e => e.Id == email.Id));
        Assert.That((purged.TextBody, purged.HtmlBody), Is.EqualTo(("", "")));
        Assert.That((purged.Subject, purged.To, purged.MessageId, purged.SentAt), Is.EqualTo((kept.Subject, kept.To, kept.MessageId, kept.SentAt)),
            "subject, recipient, Message-ID and dates stay");
    }
}

/// <summary>Issue 12, defect 11: a killed process never leaves a torn .eml file beside the complete copy sent again.</summary>
public sealed class EmlFilesTests
{
    private string _data = null!;

    [SetUp]
    public void CreateDirectory() => _data = Directory.CreateTempSubdirectory("eml-files-").FullName;

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_data, recursive: true);

    private FileEmailTransport Transport() =>
        new(Options.Create(new MarketplaceOptions { DataDirectory = _data }), Options.Create(new EmailOptions()));

    private static EmailMessage Message(int n) =>
        new($"lecteur-{n}@exemple.invalid", $"Message {n}", string.Concat(Enumerable.Repeat($"Ligne du message {n}.\n", 2000)),
            $"<p>{string.Concat(Enumerable.Repeat($"Paragraphe {n}. ", 2000))}</p>", $"<{Guid.NewGuid():N}@panier.invalid>", "fr");

    [Test]
    public async Task An_eml_file_appears_in_the_mail_directory_only_complete()
    {
        var mail = Path.Combine(_data, "mail");
        Directory.CreateDirectory(mail);
        var written = new System.Collections.Concurrent.ConcurrentBag<string>();
        var seenIncomplete = new System.Collections.Concurrent.ConcurrentBag<string>();
        using var watcher = new FileSystemWatcher(mail, "*.eml") { IncludeSubdirectories = false, NotifyFilter = NotifyFilters.FileName | NotifyFilters.Size | NotifyFilters.LastWrite };
        watcher.Changed += (_, e) => written.Add(e.Name!); // a write to a file already visible under its final name
        watcher.Created += (_, e) =>
        {
            try
            {
                // A complete message ends with the closing boundary of its multipart body.
                if (!File.ReadAllText(e.FullPath).TrimEnd().EndsWith("--", StringComparison.Ordinal)) seenIncomplete.Add(e.Name!);
            }
            catch (IOException) { seenIncomplete.Add(e.Name!); }
        };
        watcher.EnableRaisingEvents = true;

        var transport = Transport();
        for (var n = 0; n < 20; n++) await transport.SendAsync(Message(n), CancellationToken.None);
        await Task.Delay(500); // the watcher's events arrive on their own thread

        Assert.That(Directory.GetFiles(mail, "*.eml"), Has.Length.EqualTo(20));
        Assert.That(written, Is.Empty, "no .eml file is written to after it appears");
        Assert.That(seenIncomplete, Is.Empty, "no .eml file is ever seen incomplete");
        Assert.That(Directory.GetFiles(mail, "*", SearchOption.AllDirectories), Has.Length.EqualTo(20), "nothing is left beside them");
    }

    [Test]
    public async Task A_part_left_by_a_killed_writer_is_never_an_eml_file_and_is_deleted_later()
    {
        var leftover = Directory.CreateDirectory(Path.Combine(_data, "mail", FileEmailTransport.PartialDirectoryName, "tue-en-ecrivant"));
        await File.WriteAllTextAsync(Path.Combine(leftover.FullName, "tronque.eml"), "X-Sender: no-reply@panier.invalid\r\nTo: lec");
        Directory.SetLastWriteTimeUtc(leftover.FullName, DateTime.UtcNow.AddHours(-2));

        await Transport().SendAsync(Message(1), CancellationToken.None);

        Assert.That(Directory.GetFiles(Path.Combine(_data, "mail"), "*.eml").Select(File.ReadAllText), Has.All.Contain("Message 1"));
        Assert.That(Directory.Exists(leftover.FullName), Is.False, "an hour-old part of a dead writer is deleted");
    }
}
