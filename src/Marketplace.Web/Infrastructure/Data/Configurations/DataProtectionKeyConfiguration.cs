using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Marketplace.Web.Infrastructure.Data.Configurations;

/// <summary>
/// The Data Protection key ring, shared by every instance of the site (ADR 0034). Each element (a key, a revocation) is
/// named once: the unique name lets two instances that import the same old keys at once store them only once.
/// </summary>
internal sealed class DataProtectionKeyConfiguration : IEntityTypeConfiguration<DataProtectionKey>
{
    public const int FriendlyNameMaxLength = 200;

    public void Configure(EntityTypeBuilder<DataProtectionKey> builder)
    {
        builder.ToTable("data_protection_keys");
        builder.HasKey(k => k.Id);
        builder.Property(k => k.FriendlyName).HasMaxLength(FriendlyNameMaxLength);
        builder.HasIndex(k => k.FriendlyName).IsUnique();
    }
}
