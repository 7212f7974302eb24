using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Marketplace.Web.Infrastructure.Data.Migrations.Sqlite
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
                type: "TEXT",
                maxLength: 20,
                nullable: false,
                defaultValue: "Unknown");

            migrationBuilder.AddColumn<string>(
                name: "Timeline",
                table: "need_requests",
                type: "TEXT",
                maxLength: 20,
                nullable: false,
                defaultValue: "Flexible");

            migrationBuilder.CreateTable(
                name: "human_reviews",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    RequestId = table.Column<int>(type: "INTEGER", nullable: false),
                    RequestedByUserId = table.Column<string>(type: "TEXT", maxLength: 450, nullable: false),
                    Question = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    RequestedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Answer = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    AnsweredByUserId = table.Column<string>(type: "TEXT", maxLength: 450, nullable: true),
                    AnsweredAt = table.Column<long>(type: "INTEGER", nullable: true),
                    Version = table.Column<int>(type: "INTEGER", nullable: false)
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
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    RequestId = table.Column<int>(type: "INTEGER", nullable: false),
                    ProviderId = table.Column<int>(type: "INTEGER", nullable: false),
                    DismissedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    DismissalReason = table.Column<string>(type: "TEXT", maxLength: 20, nullable: true),
                    ContactedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    Message = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    DetailsSharedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    SharedByUserId = table.Column<string>(type: "TEXT", maxLength: 450, nullable: true),
                    InterestedAt = table.Column<long>(type: "INTEGER", nullable: true)
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
