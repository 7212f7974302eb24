using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Marketplace.Web.Infrastructure.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class I15SendGrid : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Kind",
                table: "outbox_emails",
                type: "TEXT",
                maxLength: 40,
                nullable: false,
                defaultValue: "general");

            migrationBuilder.AddColumn<long>(
                name: "SuppressedAt",
                table: "outbox_emails",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "email_suppressions",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Address = table.Column<string>(type: "TEXT", maxLength: 320, nullable: false),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    Source = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    LastEventAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_email_suppressions", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "processed_email_events",
                columns: table => new
                {
                    EventId = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    ReceivedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_processed_email_events", x => x.EventId);
                });

            migrationBuilder.CreateIndex(
                name: "IX_email_suppressions_Address",
                table: "email_suppressions",
                column: "Address",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_email_suppressions_LastEventAt",
                table: "email_suppressions",
                column: "LastEventAt");

            migrationBuilder.CreateIndex(
                name: "IX_processed_email_events_ReceivedAt",
                table: "processed_email_events",
                column: "ReceivedAt");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "email_suppressions");

            migrationBuilder.DropTable(
                name: "processed_email_events");

            migrationBuilder.DropColumn(
                name: "Kind",
                table: "outbox_emails");

            migrationBuilder.DropColumn(
                name: "SuppressedAt",
                table: "outbox_emails");
        }
    }
}
