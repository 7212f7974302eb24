using Hangfire;
using Hangfire.Dashboard;
using Marketplace.Web.Domain.Accounts;
using Marketplace.Web.Features.TwoFactor;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;

namespace Marketplace.Web.Infrastructure.Jobs;

/// <summary>
/// Hangfire's own dashboard under the admin area, for admins with two-factor authentication only (ADR 0031). The French
/// job page (<c>/fr/admin/taches</c>) stays the primary one and links here for the technical details (queues, retries,
/// failed jobs with their stack traces). Mounted only where Hangfire runs (<c>Jobs:Enabled</c>).
/// </summary>
public static class JobsDashboard
{
    public const string Path = "/admin/hangfire";

    public static void MapJobsDashboard(this WebApplication app)
    {
        if (app.Services.GetService<JobStorage>() is not { } storage) return;
        var gate = new AdminWithTwoFactorDashboardFilter();
        app.MapHangfireDashboard(Path, new DashboardOptions
            {
                // Hangfire's default lets local requests in: replaced. The cheap check runs first, then the account's.
                Authorization = [gate],
                AsyncAuthorization = [gate],
                // Its POSTs (retry, delete, trigger) check the site's antiforgery token, which its pages carry.
                IgnoreAntiforgeryToken = false,
                AppPath = "/fr/admin/taches",
                DashboardTitle = "Tâches planifiées · Hangfire",
                DisplayStorageConnectionString = false,
            }, storage)
            // The site's own rules first: anonymous → the sign-in page, signed in without the admin role → 404.
            .RequireAuthorization(new AuthorizeAttribute { Roles = Roles.Admin });
    }
}

/// <summary>
/// Lets into Hangfire's dashboard only a signed-in admin whose account has two-factor authentication on (the rule of
/// <see cref="RequireTwoFactorAttribute"/>, the other admin pages'). Anyone else gets 401 or 403 and nothing of the
/// dashboard, its JSON routes and its POST routes included.
/// </summary>
public sealed class AdminWithTwoFactorDashboardFilter : IDashboardAuthorizationFilter, IDashboardAsyncAuthorizationFilter
{
    /// <summary>From the cookie alone: signed in, admin role (re-validated against the account at every request).</summary>
    public bool Authorize(DashboardContext context) =>
        context.GetHttpContext().User is { Identity.IsAuthenticated: true } user && user.IsInRole(Roles.Admin);

    /// <summary>From the account: still an admin, and two-factor authentication on.</summary>
    public async Task<bool> AuthorizeAsync(DashboardContext context)
    {
        var http = context.GetHttpContext();
        if (!Authorize(context)) return false;
        var users = http.RequestServices.GetRequiredService<UserManager<MarketplaceUser>>();
        return await users.GetUserAsync(http.User) is { } account
               && await users.IsInRoleAsync(account, Roles.Admin)
               && await RequireTwoFactorAttribute.IsMetAsync(http, account);
    }
}
