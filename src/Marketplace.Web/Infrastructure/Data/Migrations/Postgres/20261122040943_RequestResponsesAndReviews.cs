using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Marketplace.Web.Infrastructure.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class RequestResponsesAndReviews : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Budget",
                table: "need_requests",
                type: "character varying(20)",
                maxLength: 20,
                nullable: false,
                defaultValue: "Unknown");

            migrationBuilder.AddColumn<string>(
                name: "Timeline",
                table: "need_requests",
                type: "character varying(20)",
                maxLength: 20,
                nullable: false,
                defaultValue: "Flexible");

            migrationBuilder.CreateTable(
                name: "human_reviews",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    RequestId = table.Column<int>(type: "integer", nullable: false),
                    RequestedByUserId = table.Column<string>(type: "character varying(450)", maxLength: 450, nullable: false),
                    Question = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    RequestedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Answer = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    AnsweredByUserId = table.Column<string>(type: "character varying(450)", maxLength: 450, nullable: true),
                    AnsweredAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    Version = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_human_reviews", x => x.Id);
                    table.ForeignKey(
                        name: "FK_human_reviews_need_requests_RequestId",
                        column: x => x.RequestId,
                        principalTable: "need_requests",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "match_responses",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    RequestId = table.Column<int>(type: "integer", nullable: false),
                    ProviderId = table.Column<int>(type: "integer", nullable: false),
                    DismissedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    DismissalReason = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: true),
                    ContactedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    Message = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    DetailsSharedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    SharedByUserId = table.Column<string>(type: "character varying(450)", maxLength: 450, nullable: true),
                    InterestedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_match_responses", x => x.Id);
                    table.ForeignKey(
                        name: "FK_match_responses_need_requests_RequestId",
                        column: x => x.RequestId,
                        principalTable: "need_requests",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_match_responses_providers_ProviderId",
                        column: x => x.ProviderId,
                        principalTable: "providers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_human_reviews_AnsweredAt",
                table: "human_reviews",
                column: "AnsweredAt");

            migrationBuilder.CreateIndex(
                name: "IX_human_reviews_RequestId_AnsweredAt",
                table: "human_reviews",
                columns: new[] { "RequestId", "AnsweredAt" });

            migrationBuilder.CreateIndex(
                name: "IX_match_responses_ProviderId",
                table: "match_responses",
                column: "ProviderId");

            migrationBuilder.CreateIndex(
                name: "IX_match_responses_RequestId_ProviderId",
                table: "match_responses",
                columns: new[] { "RequestId", "ProviderId" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "human_reviews");

            migrationBuilder.DropTable(
                name: "match_responses");

            migrationBuilder.DropColumn(
                name: "Budget",
                table: "need_requests");

            migrationBuilder.DropColumn(
                name: "Timeline",
                table: "need_requests");
        }
    }
}
