using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Marketplace.Web.Infrastructure.Data.Migrations.Postgres
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
                type: "character varying(40)",
                maxLength: 40,
                nullable: false,
                defaultValue: "general");

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "SuppressedAt",
                table: "outbox_emails",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "email_suppressions",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Address = table.Column<string>(type: "character varying(320)", maxLength: 320, nullable: false),
                    Reason = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    Source = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    LastEventAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_email_suppressions", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "processed_email_events",
                columns: table => new
                {
                    EventId = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    ReceivedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
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
