using Marketplace.Web.Domain.Accounts;
using Marketplace.Web.Domain.Listings;
using Marketplace.Web.Domain.Providers;
using Marketplace.Web.Domain.Taxonomy;
using Marketplace.Web.Infrastructure.Email;
using Marketplace.Web.Infrastructure.Search;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Web.Infrastructure.Data;

/// <summary>
/// The one unit of work of the site. Abstract: each database provider has a sealed subclass with its own migrations
/// (see docs/decisions/0002-two-database-providers.md). Features use it directly, without repositories.
/// </summary>
public abstract class MarketplaceDbContext(DbContextOptions options) : IdentityDbContext<MarketplaceUser>(options), IDataProtectionKeyContext
{
    public DbSet<Provider> Providers => Set<Provider>();
    public DbSet<ServiceOffering> ServiceOfferings => Set<ServiceOffering>();
    public DbSet<TaxonomyTerm> TaxonomyTerms => Set<TaxonomyTerm>();
    public DbSet<SearchIndexState> SearchIndexStates => Set<SearchIndexState>();
    public DbSet<SearchChange> SearchChanges => Set<SearchChange>();
    public DbSet<SynonymGroup> SynonymGroups => Set<SynonymGroup>();
    public DbSet<Organization> Organizations => Set<Organization>();
    public DbSet<ListingRevision> ListingRevisions => Set<ListingRevision>();
    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();
    public DbSet<Consent> Consents => Set<Consent>();
    public DbSet<OutboxEmail> OutboxEmails => Set<OutboxEmail>();
    public DbSet<EmailSuppression> EmailSuppressions => Set<EmailSuppression>();
    public DbSet<ProcessedEmailEvent> ProcessedEmailEvents => Set<ProcessedEmailEvent>();
    public DbSet<Domain.Matching.NeedRequest> NeedRequests => Set<Domain.Matching.NeedRequest>();
    public DbSet<Domain.Matching.MatchRecord> Matches => Set<Domain.Matching.MatchRecord>();
    public DbSet<Domain.Matching.MatchResponse> MatchResponses => Set<Domain.Matching.MatchResponse>();
    public DbSet<Domain.Matching.HumanReview> HumanReviews => Set<Domain.Matching.HumanReview>();
    public DbSet<Jobs.JobRun> JobRuns => Set<Jobs.JobRun>();
    public DbSet<Domain.Conversations.Conversation> Conversations => Set<Domain.Conversations.Conversation>();
    public DbSet<Domain.Conversations.ConversationMessage> ConversationMessages => Set<Domain.Conversations.ConversationMessage>();
    public DbSet<ListingClaim> ListingClaims => Set<ListingClaim>();
    public DbSet<StaffAccess> StaffAccesses => Set<StaffAccess>();
    public DbSet<Domain.Privacy.PrivacyIncident> PrivacyIncidents => Set<Domain.Privacy.PrivacyIncident>();
    public DbSet<Domain.Privacy.IncidentNotice> IncidentNotices => Set<Domain.Privacy.IncidentNotice>();
    public DbSet<Domain.Privacy.WithdrawalRequest> WithdrawalRequests => Set<Domain.Privacy.WithdrawalRequest>();
    public DbSet<Domain.Matching.ProviderReview> ProviderReviews => Set<Domain.Matching.ProviderReview>();

    /// <summary>The Data Protection key ring, one for every instance (ADR 0034).</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    public abstract DatabaseProvider DatabaseProvider { get; }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder); // Identity's tables, renamed below like ours
        modelBuilder.Entity<MarketplaceUser>(b =>
        {
            b.ToTable("users");
            b.Property(u => u.DisplayName).HasMaxLength(MarketplaceUser.DisplayNameMaxLength).IsRequired();
            b.Property(u => u.Language).HasMaxLength(5).IsRequired();
            b.HasIndex(u => u.OrganizationId);
            b.HasOne<Organization>().WithMany().HasForeignKey(u => u.OrganizationId).OnDelete(DeleteBehavior.Restrict);
        });
        modelBuilder.Entity<IdentityRole>().ToTable("roles");
        modelBuilder.Entity<IdentityUserRole<string>>().ToTable("user_roles");
        modelBuilder.Entity<IdentityUserClaim<string>>().ToTable("user_claims");
        modelBuilder.Entity<IdentityUserLogin<string>>().ToTable("user_logins");
        modelBuilder.Entity<IdentityUserToken<string>>().ToTable("user_tokens");
        modelBuilder.Entity<IdentityRoleClaim<string>>().ToTable("role_claims");
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(MarketplaceDbContext).Assembly,
            t => t.Namespace == typeof(MarketplaceDbContext).Namespace + ".Configurations");
    }
}

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}

public sealed class SqliteMarketplaceDbContext(DbContextOptions<SqliteMarketplaceDbContext> options) : MarketplaceDbContext(options)
{
    public override DatabaseProvider DatabaseProvider => DatabaseProvider.Sqlite;

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite has no date type that sorts and compares in SQL; store instants as UTC ticks.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToUtcTicksConverter>();
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        // The one-request matching query (MatchingRun) reads only these columns: with them in two indexes SQLite answers
        // it without reading a row, whose descriptions make it large (ADR 0014).
        modelBuilder.Entity<Domain.Providers.ServiceOffering>().HasIndex(o => new
        {
            o.CategoryKey, o.ProviderId, o.Delivery, o.ServesAllQuebec, o.Pricing, o.RegionCodes, o.Languages, o.FundingPrograms,
        }, "IX_service_offerings_Matching");
        modelBuilder.Entity<Domain.Providers.Provider>().HasIndex(p => new { p.Id, p.Status, p.Name, p.SocialEconomy, p.HeadOfficeRegion, p.VerifiedAt },
            "IX_providers_Matching");
    }
}

public sealed class PostgresMarketplaceDbContext(DbContextOptions<PostgresMarketplaceDbContext> options) : MarketplaceDbContext(options)
{
    public override DatabaseProvider DatabaseProvider => DatabaseProvider.Postgres;

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        // The same two indexes for the one-request matching query, as PostgreSQL writes them: the searched key, and the
        // other columns the query reads in INCLUDE, so that it is an index-only scan (ADR 0014).
        modelBuilder.Entity<Domain.Providers.ServiceOffering>().HasIndex(o => o.CategoryKey, "IX_service_offerings_Matching")
            .IncludeProperties(o => new { o.ProviderId, o.Delivery, o.ServesAllQuebec, o.Pricing, o.RegionCodes, o.Languages, o.FundingPrograms });
        modelBuilder.Entity<Domain.Providers.Provider>().HasIndex(p => p.Id, "IX_providers_Matching")
            .IncludeProperties(p => new { p.Status, p.Name, p.SocialEconomy, p.HeadOfficeRegion, p.VerifiedAt });
    }
}
