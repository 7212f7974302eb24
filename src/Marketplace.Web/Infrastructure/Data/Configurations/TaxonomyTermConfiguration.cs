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

internal sealed class SearchChangeConfiguration : IEntityTypeConfiguration<SearchChange>
{
    public void Configure(EntityTypeBuilder<SearchChange> builder)
    {
        builder.ToTable("search_changes");
        builder.HasKey(c => c.Version);
        builder.Property(c => c.Version).ValueGeneratedNever();
        builder.Property(c => c.Kind).HasConversion<string>().HasMaxLength(20);
    }
}

internal sealed class SynonymGroupConfiguration : IEntityTypeConfiguration<SynonymGroup>
{
    public void Configure(EntityTypeBuilder<SynonymGroup> builder)
    {
        builder.ToTable("synonym_groups");
        builder.HasKey(g => g.Id);
        builder.Property(g => g.Terms).HasMaxLength(SynonymGroup.TermsMaxLength).IsRequired();
        builder.Ignore(g => g.Alternatives);
    }
}
