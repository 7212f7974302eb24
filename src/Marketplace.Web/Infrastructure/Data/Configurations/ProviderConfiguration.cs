using Marketplace.Web.Domain.Providers;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Marketplace.Web.Infrastructure.Data.Configurations;

internal sealed class ProviderConfiguration : IEntityTypeConfiguration<Provider>
{
    public void Configure(EntityTypeBuilder<Provider> builder)
    {
        builder.ToTable("providers");
        builder.HasKey(p => p.Id);
        builder.Property(p => p.Slug).HasMaxLength(Provider.SlugMaxLength).IsRequired();
        builder.HasIndex(p => p.Slug).IsUnique();
        builder.Property(p => p.Name).HasMaxLength(Provider.NameMaxLength).IsRequired();
        builder.Property(p => p.LegalForm).HasConversion<string>().HasMaxLength(40);
        builder.Property(p => p.Neq).HasMaxLength(Provider.NeqLength);
        builder.Property(p => p.HeadOfficeRegion).HasMaxLength(2);
        builder.Property(p => p.Website).HasMaxLength(Provider.WebsiteMaxLength);
        builder.Property(p => p.PublicEmail).HasMaxLength(Provider.EmailMaxLength);
        builder.Property(p => p.PublicPhone).HasMaxLength(Provider.PhoneMaxLength);
        builder.Property(p => p.ContactPageUrl).HasMaxLength(Provider.WebsiteMaxLength);
        builder.Property(p => p.DescriptionFr).HasMaxLength(Provider.DescriptionMaxLength).IsRequired();
        builder.Property(p => p.DescriptionEn).HasMaxLength(Provider.DescriptionMaxLength);
        builder.Property(p => p.Status).HasConversion<string>().HasMaxLength(20);
        builder.Property(p => p.Origin).HasConversion<string>().HasMaxLength(20);
        builder.HasIndex(p => p.Status);
        builder.HasMany(p => p.Offerings).WithOne().HasForeignKey(o => o.ProviderId).OnDelete(DeleteBehavior.Cascade);
        builder.Navigation(p => p.Offerings).UsePropertyAccessMode(PropertyAccessMode.Field);
    }
}

internal sealed class ServiceOfferingConfiguration : IEntityTypeConfiguration<ServiceOffering>
{
    public void Configure(EntityTypeBuilder<ServiceOffering> builder)
    {
        builder.ToTable("service_offerings");
        builder.HasKey(o => o.Id);
        builder.Property(o => o.CategoryKey).HasMaxLength(ServiceOffering.KeyMaxLength).IsRequired();
        builder.Property(o => o.DescriptionFr).HasMaxLength(ServiceOffering.DescriptionMaxLength).IsRequired();
        builder.Property(o => o.DescriptionEn).HasMaxLength(ServiceOffering.DescriptionMaxLength);
        builder.Property(o => o.Pricing).HasConversion<string>().HasMaxLength(40);
        builder.Property(o => o.Delivery).HasConversion<string>().HasMaxLength(40);
        builder.PrimitiveCollection(o => o.RegionCodes);
        builder.PrimitiveCollection(o => o.Languages);
        builder.PrimitiveCollection(o => o.FundingPrograms);
        builder.HasIndex(o => o.CategoryKey);
    }
}
