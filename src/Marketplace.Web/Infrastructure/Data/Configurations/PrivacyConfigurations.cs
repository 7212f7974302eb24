using Marketplace.Web.Domain.Accounts;
using Marketplace.Web.Domain.Matching;
using Marketplace.Web.Domain.Privacy;
using Marketplace.Web.Domain.Providers;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Web.Infrastructure.Data.Configurations;


internal sealed class StaffAccessConfiguration : IEntityTypeConfiguration<StaffAccess>
{
    public void Configure(EntityTypeBuilder<StaffAccess> builder)
    {
        builder.ToTable("staff_accesses");
        builder.HasKey(a => a.Id);
        builder.Property(a => a.StaffUserId).HasMaxLength(450).IsRequired();
        builder.Property(a => a.Kind).HasConversion<string>().HasMaxLength(30);
        builder.Property(a => a.RecordId).HasMaxLength(StaffAccess.RecordIdMaxLength).IsRequired();
        builder.Property(a => a.SubjectUserId).HasMaxLength(450);
        // No foreign keys: the record of who looked at what outlives the accounts on both sides (deletion anonymizes it).
        builder.HasIndex(a => a.SubjectUserId);
        builder.HasIndex(a => a.SubjectOrganizationId);
    }
}

internal sealed class PrivacyIncidentConfiguration : IEntityTypeConfiguration<PrivacyIncident>
{
    public void Configure(EntityTypeBuilder<PrivacyIncident> builder)
    {
        builder.ToTable("privacy_incidents");
        builder.HasKey(i => i.Id);
        builder.Property(i => i.Description).HasMaxLength(PrivacyIncident.LongTextMaxLength).IsRequired();
        builder.Property(i => i.InformationConcerned).HasMaxLength(PrivacyIncident.ShortTextMaxLength).IsRequired();
        builder.Property(i => i.RiskSensitivity).HasMaxLength(PrivacyIncident.ShortTextMaxLength);
        builder.Property(i => i.RiskConsequences).HasMaxLength(PrivacyIncident.ShortTextMaxLength);
        builder.Property(i => i.RiskProbability).HasMaxLength(PrivacyIncident.ShortTextMaxLength);
        builder.Property(i => i.RiskConclusion).HasConversion<string>().HasMaxLength(20);
        builder.Property(i => i.Measures).HasMaxLength(PrivacyIncident.LongTextMaxLength);
        builder.Property(i => i.RecordedByUserId).HasMaxLength(450).IsRequired();
        builder.Property(i => i.UpdatedByUserId).HasMaxLength(450).IsRequired();
        builder.Property(i => i.UpdatedAt).IsConcurrencyToken();
        builder.HasIndex(i => i.DiscoveredOn);
    }
}

internal sealed class IncidentNoticeConfiguration : IEntityTypeConfiguration<IncidentNotice>
{
    public void Configure(EntityTypeBuilder<IncidentNotice> builder)
    {
        builder.ToTable("incident_notices");
        builder.HasKey(n => n.Id);
        builder.Property(n => n.UserId).HasMaxLength(450).IsRequired();
        builder.Property(n => n.Language).HasMaxLength(2).IsRequired();
        // At most one notice per incident and account, whatever the admin picks twice or two admins do at once.
        builder.HasIndex(n => new { n.IncidentId, n.UserId }).IsUnique();
        builder.HasOne<PrivacyIncident>().WithMany().HasForeignKey(n => n.IncidentId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class WithdrawalRequestConfiguration : IEntityTypeConfiguration<WithdrawalRequest>
{
    public void Configure(EntityTypeBuilder<WithdrawalRequest> builder)
    {
        builder.ToTable("withdrawal_requests");
        builder.HasKey(w => w.Id);
        builder.Property(w => w.RequesterName).HasMaxLength(WithdrawalRequest.NameMaxLength);
        builder.Property(w => w.RequesterEmail).HasMaxLength(WithdrawalRequest.EmailMaxLength).IsRequired();
        builder.Property(w => w.Reason).HasMaxLength(WithdrawalRequest.TextMaxLength).IsRequired();
        builder.Property(w => w.Language).HasMaxLength(2).IsRequired();
        builder.Property(w => w.Decision).HasConversion<string>().HasMaxLength(20);
        builder.Property(w => w.DecisionReason).HasMaxLength(WithdrawalRequest.TextMaxLength);
        builder.Property(w => w.DecidedByUserId).HasMaxLength(450);
        builder.Property(w => w.Version).IsConcurrencyToken();
        builder.HasIndex(w => new { w.Decision, w.RequestedAt });
        builder.HasOne<Provider>().WithMany().HasForeignKey(w => w.ProviderId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ProviderReviewConfiguration : IEntityTypeConfiguration<ProviderReview>
{
    public void Configure(EntityTypeBuilder<ProviderReview> builder)
    {
        builder.ToTable("provider_reviews");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.RequestedByUserId).HasMaxLength(450).IsRequired();
        builder.Property(r => r.AnsweredByUserId).HasMaxLength(450);
        builder.Property(r => r.Question).HasMaxLength(ProviderReview.TextMaxLength).IsRequired();
        builder.Property(r => r.Answer).HasMaxLength(ProviderReview.TextMaxLength);
        builder.Property(r => r.Version).IsConcurrencyToken();
        builder.HasIndex(r => r.AnsweredAt);
        builder.HasIndex(r => new { r.ProviderId, r.RequestedAt });
        builder.HasOne<Provider>().WithMany().HasForeignKey(r => r.ProviderId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<NeedRequest>().WithMany().HasForeignKey(r => r.RequestId).OnDelete(DeleteBehavior.SetNull);
    }
}
