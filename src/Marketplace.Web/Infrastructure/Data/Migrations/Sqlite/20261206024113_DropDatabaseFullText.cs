using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Marketplace.Web.Infrastructure.Data.Migrations.Sqlite
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
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(
                "CREATE VIRTUAL TABLE provider_text USING fts5(name, categories, body, " +
                "tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4');");
        }
    }
}
