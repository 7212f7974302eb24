using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Marketplace.Web.Infrastructure.Data.Migrations.Postgres
{
    /// <summary>Hangfire replaces Quartz (issue 15): Quartz's own tables go.</summary>
    public partial class I15Hangfire : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Quartz's 15 tables, as its ProvisionSchema() created them (lower case, in the default schema), in one
            // statement so that their foreign keys do not matter. Hangfire has its own schema, hangfire (ADR 0031).
            migrationBuilder.Sql("DROP TABLE IF EXISTS qrtz_fired_triggers, qrtz_simple_triggers, qrtz_cron_triggers, qrtz_simprop_triggers, qrtz_blob_triggers, qrtz_triggers, qrtz_job_details, qrtz_calendars, qrtz_paused_trigger_grps, qrtz_paused_job_grps, qrtz_scheduler_state, qrtz_locks, qrtz_execution_history, qrtz_misfire_history, qrtz_job_status;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // Quartz is gone: nothing to recreate.
        }
    }
}
