using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Marketplace.Web.Infrastructure.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class I14DeletionRetention : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_listing_revisions_organizations_OrganizationId",
                table: "listing_revisions");

            migrationBuilder.AddColumn<long>(
                name: "InactivityWarnedAt",
                table: "users",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "LastSeenAt",
                table: "users",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "AnonymizedAt",
                table: "need_requests",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AlterColumn<int>(
                name: "OrganizationId",
                table: "listing_revisions",
                type: "INTEGER",
                nullable: true,
                oldClrType: typeof(int),
                oldType: "INTEGER");

            migrationBuilder.AddForeignKey(
                name: "FK_listing_revisions_organizations_OrganizationId",
                table: "listing_revisions",
                column: "OrganizationId",
                principalTable: "organizations",
                principalColumn: "Id",
                onDelete: ReferentialAction.SetNull);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_listing_revisions_organizations_OrganizationId",
                table: "listing_revisions");

            migrationBuilder.DropColumn(
                name: "InactivityWarnedAt",
                table: "users");

            migrationBuilder.DropColumn(
                name: "LastSeenAt",
                table: "users");

            migrationBuilder.DropColumn(
                name: "AnonymizedAt",
                table: "need_requests");

            migrationBuilder.AlterColumn<int>(
                name: "OrganizationId",
                table: "listing_revisions",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0,
                oldClrType: typeof(int),
                oldType: "INTEGER",
                oldNullable: true);

            migrationBuilder.AddForeignKey(
                name: "FK_listing_revisions_organizations_OrganizationId",
                table: "listing_revisions",
                column: "OrganizationId",
                principalTable: "organizations",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);
        }
    }
}
