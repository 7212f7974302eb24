using Marketplace.Web.Domain.Accounts;
using Marketplace.Web.Domain.Conversations;
using Marketplace.Web.Domain.Listings;
using Marketplace.Web.Domain.Providers;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Marketplace.Web.Infrastructure.Data.Configurations;

internal sealed class ConversationConfiguration : IEntityTypeConfiguration<Conversation>
{
    public void Configure(EntityTypeBuilder<Conversation> builder)
    {
        builder.ToTable("conversations");
        builder.HasKey(c => c.Id);
        builder.HasIndex(c => new { c.NonprofitOrganizationId, c.LastMessageAt });
        builder.HasIndex(c => new { c.ProviderId, c.LastMessageAt });
        builder.Property(c => c.SharedByUserId).HasMaxLength(450);
        builder.HasOne<Organization>().WithMany().HasForeignKey(c => c.NonprofitOrganizationId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Provider>().WithMany().HasForeignKey(c => c.ProviderId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Domain.Matching.NeedRequest>().WithMany().HasForeignKey(c => c.RequestId).OnDelete(DeleteBehavior.SetNull);
        builder.HasMany(c => c.Messages).WithOne().HasForeignKey(m => m.ConversationId).OnDelete(DeleteBehavior.Cascade);
        builder.Navigation(c => c.Messages).UsePropertyAccessMode(PropertyAccessMode.Field);
    }
}

internal sealed class ConversationMessageConfiguration : IEntityTypeConfiguration<ConversationMessage>
{
    public void Configure(EntityTypeBuilder<ConversationMessage> builder)
    {
        builder.ToTable("conversation_messages");
        builder.HasKey(m => m.Id);
        builder.HasIndex(m => new { m.ConversationId, m.SentAt });
        builder.Property(m => m.Side).HasConversion<string>().HasMaxLength(20);
        builder.Property(m => m.Channel).HasConversion<string>().HasMaxLength(20);
        builder.Property(m => m.AuthorUserId).HasMaxLength(450).IsRequired();
        builder.Property(m => m.Body).HasMaxLength(ConversationMessage.BodyMaxLength).IsRequired();
        builder.Property(m => m.DeliveredTo).HasMaxLength(ConversationMessage.DeliveredToMaxLength);
    }
}

internal sealed class ListingClaimConfiguration : IEntityTypeConfiguration<ListingClaim>
{
    public void Configure(EntityTypeBuilder<ListingClaim> builder)
    {
        builder.ToTable("listing_claims");
        builder.HasKey(c => c.Id);
        builder.HasIndex(c => new { c.State, c.RequestedAt });
        builder.HasIndex(c => c.ProviderId);
        builder.HasIndex(c => c.OrganizationId);
        builder.Property(c => c.Method).HasConversion<string>().HasMaxLength(20);
        builder.Property(c => c.State).HasConversion<string>().HasMaxLength(20);
        builder.Property(c => c.RequestedByUserId).HasMaxLength(450).IsRequired();
        builder.Property(c => c.DecidedByUserId).HasMaxLength(450);
        builder.Property(c => c.Evidence).HasMaxLength(ListingClaim.EvidenceMaxLength);
        builder.Property(c => c.DecisionNote).HasMaxLength(ListingClaim.NoteMaxLength);
        builder.Property(c => c.TokenHash).HasMaxLength(64);
        builder.Property(c => c.SentTo).HasMaxLength(320);
        builder.HasOne<Provider>().WithMany().HasForeignKey(c => c.ProviderId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Organization>().WithMany().HasForeignKey(c => c.OrganizationId).OnDelete(DeleteBehavior.Cascade);
    }
}
