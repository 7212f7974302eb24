using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Marketplace.Web.Infrastructure.Data.Migrations.Postgres
{
    /// <summary>
    /// Issue 13: free text moved to a Lucene.Net index per instance (docs/search.md); the database's own full-text table
    /// (and on PostgreSQL its text search configuration) is dropped. Down puts back the empty structures; the old engine
    /// refilled them with its reindex.
    /// </summary>
    public partial class DropDatabaseFullText : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TABLE IF EXISTS provider_text;");
            migrationBuilder.Sql("DROP TEXT SEARCH CONFIGURATION IF EXISTS fr_unaccent;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("CREATE EXTENSION IF NOT EXISTS unaccent;");
            migrationBuilder.Sql(
                """
                DO $$
                BEGIN
                    IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'fr_unaccent') THEN
                        CREATE TEXT SEARCH CONFIGURATION fr_unaccent (COPY = french);
                        ALTER TEXT SEARCH CONFIGURATION fr_unaccent
                            ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;
                    END IF;
                END
                $$;
                """);
            migrationBuilder.Sql("CREATE TABLE provider_text (provider_id integer PRIMARY KEY, document tsvector NOT NULL);");
            migrationBuilder.Sql("CREATE INDEX ix_provider_text_document ON provider_text USING gin (document);");
        }
    }
}
