using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Marketplace.Web.Infrastructure.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class I14IncidentsWithdrawals : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "privacy_incidents",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    OccurredFrom = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    OccurredTo = table.Column<DateOnly>(type: "TEXT", nullable: true),
                    DiscoveredOn = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    Description = table.Column<string>(type: "TEXT", maxLength: 8000, nullable: false),
                    InformationConcerned = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    PeopleConcerned = table.Column<int>(type: "INTEGER", nullable: false),
                    PeopleConcernedIsEstimate = table.Column<bool>(type: "INTEGER", nullable: false),
                    RiskSensitivity = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    RiskConsequences = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    RiskProbability = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    RiskConclusion = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    CommissionNotifiedOn = table.Column<DateOnly>(type: "TEXT", nullable: true),
                    PeopleNotifiedOn = table.Column<DateOnly>(type: "TEXT", nullable: true),
                    Measures = table.Column<string>(type: "TEXT", maxLength: 8000, nullable: true),
                    RecordedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    RecordedByUserId = table.Column<string>(type: "TEXT", maxLength: 450, nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    UpdatedByUserId = table.Column<string>(type: "TEXT", maxLength: 450, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_privacy_incidents", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "provider_reviews",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ProviderId = table.Column<int>(type: "INTEGER", nullable: false),
                    RequestId = table.Column<int>(type: "INTEGER", nullable: true),
                    RequestedByUserId = table.Column<string>(type: "TEXT", maxLength: 450, nullable: false),
                    Question = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    RequestedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Answer = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    AnsweredByUserId = table.Column<string>(type: "TEXT", maxLength: 450, nullable: true),
                    AnsweredAt = table.Column<long>(type: "INTEGER", nullable: true),
                    Version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_provider_reviews", x => x.Id);
                    table.ForeignKey(
                        name: "FK_provider_reviews_need_requests_RequestId",
                        column: x => x.RequestId,
                        principalTable: "need_requests",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "FK_provider_reviews_providers_ProviderId",
                        column: x => x.ProviderId,
                        principalTable: "providers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "withdrawal_requests",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ProviderId = table.Column<int>(type: "INTEGER", nullable: false),
                    RequesterName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    RequesterEmail = table.Column<string>(type: "TEXT", maxLength: 320, nullable: false),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    Language = table.Column<string>(type: "TEXT", maxLength: 2, nullable: false),
                    RequestedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Decision = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    DecisionReason = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    DecidedByUserId = table.Column<string>(type: "TEXT", maxLength: 450, nullable: true),
                    DecidedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    Version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_withdrawal_requests", x => x.Id);
                    table.ForeignKey(
                        name: "FK_withdrawal_requests_providers_ProviderId",
                        column: x => x.ProviderId,
                        principalTable: "providers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "incident_notices",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    IncidentId = table.Column<int>(type: "INTEGER", nullable: false),
                    UserId = table.Column<string>(type: "TEXT", maxLength: 450, nullable: false),
                    Language = table.Column<string>(type: "TEXT", maxLength: 2, nullable: false),
                    NotifiedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_incident_notices", x => x.Id);
                    table.ForeignKey(
                        name: "FK_incident_notices_privacy_incidents_IncidentId",
                        column: x => x.IncidentId,
                        principalTable: "privacy_incidents",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_incident_notices_IncidentId_UserId",
                table: "incident_notices",
                columns: new[] { "IncidentId", "UserId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_privacy_incidents_DiscoveredOn",
                table: "privacy_incidents",
                column: "DiscoveredOn");

            migrationBuilder.CreateIndex(
                name: "IX_provider_reviews_AnsweredAt",
                table: "provider_reviews",
                column: "AnsweredAt");

            migrationBuilder.CreateIndex(
                name: "IX_provider_reviews_ProviderId_RequestedAt",
                table: "provider_reviews",
                columns: new[] { "ProviderId", "RequestedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_provider_reviews_RequestId",
                table: "provider_reviews",
                column: "RequestId");

            migrationBuilder.CreateIndex(
                name: "IX_withdrawal_requests_Decision_RequestedAt",
                table: "withdrawal_requests",
                columns: new[] { "Decision", "RequestedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_withdrawal_requests_ProviderId",
                table: "withdrawal_requests",
                column: "ProviderId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "incident_notices");

            migrationBuilder.DropTable(
                name: "provider_reviews");

            migrationBuilder.DropTable(
                name: "withdrawal_requests");

            migrationBuilder.DropTable(
                name: "privacy_incidents");
        }
    }
}
