using Marketplace.Web.Domain.Accounts;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

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
