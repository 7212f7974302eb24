using Marketplace.Web.Domain.Taxonomy;
using Marketplace.Web.Infrastructure.Search;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Marketplace.Web.Infrastructure.Data.Configurations;

internal sealed class TaxonomyTermConfiguration : IEntityTypeConfiguration<TaxonomyTerm>
{
    public void Configure(EntityTypeBuilder<TaxonomyTerm> builder)
    {
        builder.ToTable("taxonomy_terms");
        builder.HasKey(t => t.Id);
        builder.Property(t => t.Kind).HasConversion<string>().HasMaxLength(30);
        builder.Property(t => t.Key).HasMaxLength(TaxonomyTerm.KeyMaxLength).IsRequired();
        builder.HasIndex(t => new { t.Kind, t.Key }).IsUnique();
        builder.Property(t => t.LabelFr).HasMaxLength(TaxonomyTerm.LabelMaxLength).IsRequired();
        builder.Property(t => t.LabelEn).HasMaxLength(TaxonomyTerm.LabelMaxLength).IsRequired();
        builder.Property(t => t.DescriptionFr).HasMaxLength(TaxonomyTerm.DescriptionMaxLength);
        builder.Property(t => t.DescriptionEn).HasMaxLength(TaxonomyTerm.DescriptionMaxLength);
    }
}

internal sealed class SearchIndexStateConfiguration : IEntityTypeConfiguration<SearchIndexState>
{
    public void Configure(EntityTypeBuilder<SearchIndexState> builder)
    {
        builder.ToTable("search_index_state");
        builder.HasKey(s => s.Id);
        builder.Property(s => s.Id).ValueGeneratedNever();
        builder.Property(s => s.Version).IsConcurrencyToken();
        builder.HasData(new SearchIndexState { Id = SearchIndexState.SingletonId, Version = 0 });
    }
}
