using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Marketplace.Web.Infrastructure.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class DigestOutbox : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "DigestPeriod",
                table: "outbox_emails",
                type: "character varying(10)",
                maxLength: 10,
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "LeaseToken",
                table: "outbox_emails",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RecipientUserId",
                table: "outbox_emails",
                type: "character varying(450)",
                maxLength: 450,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "UnsubscribeUrl",
                table: "outbox_emails",
                type: "character varying(2000)",
                maxLength: 2000,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_outbox_emails_DigestPeriod_SentAt",
                table: "outbox_emails",
                columns: new[] { "DigestPeriod", "SentAt" });

            migrationBuilder.CreateIndex(
                name: "IX_outbox_emails_LeaseToken",
                table: "outbox_emails",
                column: "LeaseToken");

            migrationBuilder.CreateIndex(
                name: "IX_outbox_emails_RecipientUserId_DigestPeriod",
                table: "outbox_emails",
                columns: new[] { "RecipientUserId", "DigestPeriod" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_outbox_emails_DigestPeriod_SentAt",
                table: "outbox_emails");

            migrationBuilder.DropIndex(
                name: "IX_outbox_emails_LeaseToken",
                table: "outbox_emails");

            migrationBuilder.DropIndex(
                name: "IX_outbox_emails_RecipientUserId_DigestPeriod",
                table: "outbox_emails");

            migrationBuilder.DropColumn(
                name: "DigestPeriod",
                table: "outbox_emails");

            migrationBuilder.DropColumn(
                name: "LeaseToken",
                table: "outbox_emails");

            migrationBuilder.DropColumn(
                name: "RecipientUserId",
                table: "outbox_emails");

            migrationBuilder.DropColumn(
                name: "UnsubscribeUrl",
                table: "outbox_emails");
        }
    }
}
