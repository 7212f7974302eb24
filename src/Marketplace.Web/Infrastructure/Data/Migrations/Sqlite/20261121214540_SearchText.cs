using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Marketplace.Web.Infrastructure.Data.Migrations.Sqlite
{
    /// <summary>
    /// The FTS5 table of the search engine (owned by SqliteFullTextIndex, not by the EF model). rowid = provider id.
    /// Text is stored normalized; unicode61 with remove_diacritics is a second guard; prefix indexes speed up term*.
    /// </summary>
    public partial class SearchText : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(
                "CREATE VIRTUAL TABLE provider_text USING fts5(name, categories, body, " +
                "tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4');");
        }

        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TABLE IF EXISTS provider_text;");
        }
    }
}
