using Marketplace.Web.Domain.Accounts;
using Marketplace.Web.Domain.Listings;
using Marketplace.Web.Infrastructure.Email;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Marketplace.Web.Infrastructure.Data.Configurations;

internal sealed class OrganizationConfiguration : IEntityTypeConfiguration<Organization>
{
    public void Configure(EntityTypeBuilder<Organization> builder)
    {
        builder.ToTable("organizations");
        builder.HasKey(o => o.Id);
        builder.Property(o => o.Name).HasMaxLength(Organization.NameMaxLength).IsRequired();
        builder.Property(o => o.Kind).HasConversion<string>().HasMaxLength(20);
        builder.HasIndex(o => o.ProviderId).IsUnique();
        builder.HasOne<Domain.Providers.Provider>().WithMany().HasForeignKey(o => o.ProviderId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class ListingRevisionConfiguration : IEntityTypeConfiguration<ListingRevision>
{
    public void Configure(EntityTypeBuilder<ListingRevision> builder)
    {
        builder.ToTable("listing_revisions");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.State).HasConversion<string>().HasMaxLength(20);
        builder.Property(r => r.AuthorUserId).HasMaxLength(450).IsRequired();
        builder.Property(r => r.DecidedByUserId).HasMaxLength(450);
        builder.Property(r => r.DecisionReason).HasMaxLength(ListingRevision.ReasonMaxLength);
        builder.Property(r => r.Version).IsConcurrencyToken();
        // The whole content as JSON: a revision is read and written as one value, and compared field by field in C#.
        builder.Property(r => r.Content).HasConversion(JsonValue.Converter<ListingContent>(), JsonValue.Comparer<ListingContent>()).IsRequired();
        builder.HasIndex(r => new { r.State, r.SubmittedAt });
        builder.HasIndex(r => r.OrganizationId);
        // SetNull: an approved revision outlives its organization as the listing's history (account deletion, ADR 0027).
        builder.HasOne<Organization>().WithMany().HasForeignKey(r => r.OrganizationId).OnDelete(DeleteBehavior.SetNull);
        builder.HasOne<Domain.Providers.Provider>().WithMany().HasForeignKey(r => r.ProviderId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> builder)
    {
        builder.ToTable("audit_entries");
        builder.HasKey(a => a.Id);
        builder.Property(a => a.Action).HasConversion<string>().HasMaxLength(40);
        builder.Property(a => a.ActorUserId).HasMaxLength(450).IsRequired();
        builder.Property(a => a.Reason).HasMaxLength(ListingRevision.ReasonMaxLength);
        builder.HasIndex(a => new { a.OrganizationId, a.At });
        builder.HasIndex(a => a.ProviderId);
    }
}

internal sealed class ConsentConfiguration : IEntityTypeConfiguration<Consent>
{
    public void Configure(EntityTypeBuilder<Consent> builder)
    {
        builder.ToTable("consents");
        builder.HasKey(c => c.Id);
        builder.Property(c => c.UserId).HasMaxLength(450).IsRequired();
        builder.Property(c => c.Purpose).HasConversion<string>().HasMaxLength(40);
        builder.Property(c => c.TextVersion).HasMaxLength(Consent.TextVersionMaxLength).IsRequired();
        builder.Property(c => c.Language).HasMaxLength(2).IsRequired().HasDefaultValue("fr");
        builder.HasIndex(c => new { c.UserId, c.Purpose });
        builder.HasOne<MarketplaceUser>().WithMany().HasForeignKey(c => c.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class OutboxEmailConfiguration : IEntityTypeConfiguration<OutboxEmail>
{
    public void Configure(EntityTypeBuilder<OutboxEmail> builder)
    {
        builder.ToTable("outbox_emails");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.To).HasMaxLength(OutboxEmail.AddressMaxLength).IsRequired();
        builder.Property(e => e.Subject).HasMaxLength(OutboxEmail.SubjectMaxLength).IsRequired();
        builder.Property(e => e.TextBody).IsRequired();
        builder.Property(e => e.HtmlBody).IsRequired();
        builder.Property(e => e.Language).HasMaxLength(5).IsRequired();
        builder.Property(e => e.MessageId).HasMaxLength(200).IsRequired();
        builder.Property(e => e.LastError).HasMaxLength(1000);
        builder.HasIndex(e => e.MessageId).IsUnique();
        builder.HasIndex(e => new { e.SentAt, e.NextAttemptAt });
        builder.Property(e => e.RecipientUserId).HasMaxLength(450);
        builder.Property(e => e.DigestPeriod).HasMaxLength(OutboxEmail.PeriodMaxLength);
        builder.Property(e => e.UnsubscribeUrl).HasMaxLength(OutboxEmail.UrlMaxLength);
        // One digest per recipient and period. Other emails have nulls here, and nulls never collide in a unique index.
        builder.HasIndex(e => new { e.RecipientUserId, e.DigestPeriod }).IsUnique();
        builder.HasIndex(e => new { e.DigestPeriod, e.SentAt });
        builder.HasIndex(e => e.LeaseToken);
        // Rows written before issue 15 have no kind: « general » (what SendGrid's category then says).
        builder.Property(e => e.Kind).HasMaxLength(OutboxEmail.KindMaxLength).IsRequired().HasDefaultValue(EmailKinds.General);
    }
}

internal sealed class NeedRequestConfiguration : IEntityTypeConfiguration<Domain.Matching.NeedRequest>
{
    public void Configure(EntityTypeBuilder<Domain.Matching.NeedRequest> builder)
    {
        builder.ToTable("need_requests");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.Title).HasMaxLength(Domain.Matching.NeedRequest.TitleMaxLength).IsRequired();
        builder.Property(r => r.Description).HasMaxLength(Domain.Matching.NeedRequest.DescriptionMaxLength).IsRequired();
        builder.PrimitiveCollection(r => r.Categories);
        builder.Property(r => r.Region).HasMaxLength(2).IsRequired();
        builder.Property(r => r.Delivery).HasConversion<string>().HasMaxLength(20);
        builder.Property(r => r.Language).HasMaxLength(10).IsRequired();
        builder.Property(r => r.Status).HasConversion<string>().HasMaxLength(20);
        builder.Property(r => r.Budget).HasConversion<string>().HasMaxLength(20);
        builder.Property(r => r.Timeline).HasConversion<string>().HasMaxLength(20);
        builder.Property(r => r.Preferences)
            .HasConversion(JsonValue.Converter<Domain.Matching.ValuePreferences>(), JsonValue.Comparer<Domain.Matching.ValuePreferences>()).IsRequired();
        builder.HasIndex(r => new { r.OrganizationId, r.Status });
        builder.HasOne<Organization>().WithMany().HasForeignKey(r => r.OrganizationId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class MatchRecordConfiguration : IEntityTypeConfiguration<Domain.Matching.MatchRecord>
{
    public void Configure(EntityTypeBuilder<Domain.Matching.MatchRecord> builder)
    {
        builder.ToTable("matches");
        builder.HasKey(m => m.Id);
        builder.HasIndex(m => new { m.RequestId, m.ProviderId }).IsUnique();
        builder.HasIndex(m => m.LastChangedAt);
        builder.PrimitiveCollection(m => m.MatchedCategories);
        builder.Property(m => m.Factors)
            .HasConversion(JsonValue.Converter<List<Domain.Matching.FactorContribution>>(), JsonValue.Comparer<List<Domain.Matching.FactorContribution>>()).IsRequired();
        builder.HasOne<Domain.Matching.NeedRequest>().WithMany().HasForeignKey(m => m.RequestId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Domain.Providers.Provider>().WithMany().HasForeignKey(m => m.ProviderId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class JobRunConfiguration : IEntityTypeConfiguration<Jobs.JobRun>
{
    public void Configure(EntityTypeBuilder<Jobs.JobRun> builder)
    {
        builder.ToTable("job_runs");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.Job).HasMaxLength(100).IsRequired();
        builder.Property(r => r.Trigger).HasMaxLength(200).IsRequired();
        builder.Property(r => r.Summary).HasMaxLength(Jobs.JobRun.SummaryMaxLength);
        builder.HasIndex(r => new { r.Job, r.StartedAt });
    }
}

internal sealed class MatchResponseConfiguration : IEntityTypeConfiguration<Domain.Matching.MatchResponse>
{
    public void Configure(EntityTypeBuilder<Domain.Matching.MatchResponse> builder)
    {
        builder.ToTable("match_responses");
        builder.HasKey(r => r.Id);
        builder.HasIndex(r => new { r.RequestId, r.ProviderId }).IsUnique();
        builder.HasIndex(r => r.ProviderId);
        builder.Property(r => r.DismissalReason).HasConversion<string>().HasMaxLength(20);
        builder.Property(r => r.Message).HasMaxLength(Domain.Matching.MatchResponse.MessageMaxLength);
        builder.Property(r => r.SharedByUserId).HasMaxLength(450);
        builder.HasOne<Domain.Matching.NeedRequest>().WithMany().HasForeignKey(r => r.RequestId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Domain.Providers.Provider>().WithMany().HasForeignKey(r => r.ProviderId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class HumanReviewConfiguration : IEntityTypeConfiguration<Domain.Matching.HumanReview>
{
    public void Configure(EntityTypeBuilder<Domain.Matching.HumanReview> builder)
    {
        builder.ToTable("human_reviews");
        builder.HasKey(r => r.Id);
        builder.HasIndex(r => new { r.RequestId, r.AnsweredAt });
        builder.HasIndex(r => r.AnsweredAt);
        builder.Property(r => r.RequestedByUserId).HasMaxLength(450).IsRequired();
        builder.Property(r => r.AnsweredByUserId).HasMaxLength(450);
        builder.Property(r => r.Question).HasMaxLength(Domain.Matching.HumanReview.TextMaxLength);
        builder.Property(r => r.Answer).HasMaxLength(Domain.Matching.HumanReview.TextMaxLength);
        builder.Property(r => r.Version).IsConcurrencyToken();
        builder.HasOne<Domain.Matching.NeedRequest>().WithMany().HasForeignKey(r => r.RequestId).OnDelete(DeleteBehavior.Cascade);
    }
}
