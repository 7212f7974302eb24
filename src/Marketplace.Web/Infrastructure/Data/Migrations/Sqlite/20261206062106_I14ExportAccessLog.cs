using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Marketplace.Web.Infrastructure.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class I14ExportAccessLog : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "staff_accesses",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    StaffUserId = table.Column<string>(type: "TEXT", maxLength: 450, nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 30, nullable: false),
                    RecordId = table.Column<string>(type: "TEXT", maxLength: 450, nullable: false),
                    SubjectUserId = table.Column<string>(type: "TEXT", maxLength: 450, nullable: true),
                    SubjectOrganizationId = table.Column<int>(type: "INTEGER", nullable: true),
                    At = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_staff_accesses", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_staff_accesses_SubjectOrganizationId",
                table: "staff_accesses",
                column: "SubjectOrganizationId");

            migrationBuilder.CreateIndex(
                name: "IX_staff_accesses_SubjectUserId",
                table: "staff_accesses",
                column: "SubjectUserId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "staff_accesses");
        }
    }
}
