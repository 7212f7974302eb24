using Marketplace.Web.Infrastructure.Email;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Marketplace.Web.Infrastructure.Data.Configurations;

internal sealed class EmailSuppressionConfiguration : IEntityTypeConfiguration<EmailSuppression>
{
    public void Configure(EntityTypeBuilder<EmailSuppression> builder)
    {
        builder.ToTable("email_suppressions");
        builder.HasKey(s => s.Id);
        builder.Property(s => s.Address).HasMaxLength(OutboxEmail.AddressMaxLength).IsRequired();
        // One listing per address: two events for it at once, the second insert fails and is read again (webhook).
        builder.HasIndex(s => s.Address).IsUnique();
        builder.Property(s => s.Reason).HasConversion<string>().HasMaxLength(20);
        builder.Property(s => s.Source).HasMaxLength(EmailSuppression.SourceMaxLength).IsRequired();
        builder.HasIndex(s => s.LastEventAt);
    }
}

internal sealed class ProcessedEmailEventConfiguration : IEntityTypeConfiguration<ProcessedEmailEvent>
{
    public void Configure(EntityTypeBuilder<ProcessedEmailEvent> builder)
    {
        builder.ToTable("processed_email_events");
        // The key is the unique index on sg_event_id: a replayed event cannot be recorded twice.
        builder.HasKey(e => e.EventId);
        builder.Property(e => e.EventId).HasMaxLength(ProcessedEmailEvent.EventIdMaxLength);
        builder.HasIndex(e => e.ReceivedAt);
    }
}
