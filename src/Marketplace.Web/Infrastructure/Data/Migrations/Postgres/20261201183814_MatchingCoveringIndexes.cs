using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Marketplace.Web.Infrastructure.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class MatchingCoveringIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_service_offerings_Matching",
                table: "service_offerings",
                column: "CategoryKey")
                .Annotation("Npgsql:IndexInclude", new[] { "ProviderId", "Delivery", "ServesAllQuebec", "Pricing", "RegionCodes", "Languages", "FundingPrograms" });

            migrationBuilder.CreateIndex(
                name: "IX_providers_Matching",
                table: "providers",
                column: "Id")
                .Annotation("Npgsql:IndexInclude", new[] { "Status", "Name", "SocialEconomy", "HeadOfficeRegion", "VerifiedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_service_offerings_Matching",
                table: "service_offerings");

            migrationBuilder.DropIndex(
                name: "IX_providers_Matching",
                table: "providers");
        }
    }
}
