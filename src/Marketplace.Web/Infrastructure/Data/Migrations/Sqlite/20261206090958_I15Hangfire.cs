using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Marketplace.Web.Infrastructure.Data.Migrations.Sqlite
{
    /// <summary>Hangfire replaces Quartz (issue 15): Quartz's own tables go.</summary>
    public partial class I15Hangfire : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Quartz's 15 tables, as its ProvisionSchema() created them (upper case), children before the tables their
            // foreign keys point to. Hangfire creates its own tables itself (ADR 0031).
            migrationBuilder.Sql("DROP TABLE IF EXISTS \"QRTZ_FIRED_TRIGGERS\";");
            migrationBuilder.Sql("DROP TABLE IF EXISTS \"QRTZ_SIMPLE_TRIGGERS\";");
            migrationBuilder.Sql("DROP TABLE IF EXISTS \"QRTZ_CRON_TRIGGERS\";");
            migrationBuilder.Sql("DROP TABLE IF EXISTS \"QRTZ_SIMPROP_TRIGGERS\";");
            migrationBuilder.Sql("DROP TABLE IF EXISTS \"QRTZ_BLOB_TRIGGERS\";");
            migrationBuilder.Sql("DROP TABLE IF EXISTS \"QRTZ_TRIGGERS\";");
            migrationBuilder.Sql("DROP TABLE IF EXISTS \"QRTZ_JOB_DETAILS\";");
            migrationBuilder.Sql("DROP TABLE IF EXISTS \"QRTZ_CALENDARS\";");
            migrationBuilder.Sql("DROP TABLE IF EXISTS \"QRTZ_PAUSED_TRIGGER_GRPS\";");
            migrationBuilder.Sql("DROP TABLE IF EXISTS \"QRTZ_PAUSED_JOB_GRPS\";");
            migrationBuilder.Sql("DROP TABLE IF EXISTS \"QRTZ_SCHEDULER_STATE\";");
            migrationBuilder.Sql("DROP TABLE IF EXISTS \"QRTZ_LOCKS\";");
            migrationBuilder.Sql("DROP TABLE IF EXISTS \"QRTZ_EXECUTION_HISTORY\";");
            migrationBuilder.Sql("DROP TABLE IF EXISTS \"QRTZ_MISFIRE_HISTORY\";");
            migrationBuilder.Sql("DROP TABLE IF EXISTS \"QRTZ_JOB_STATUS\";");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // Quartz is gone: nothing to recreate.
        }
    }
}
