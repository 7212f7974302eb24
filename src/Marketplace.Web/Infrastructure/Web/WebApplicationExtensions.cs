using System.Globalization;
using System.Threading.RateLimiting;
using Marketplace.Web.Features.Api;
using Marketplace.Web.Features.Curation;
using Marketplace.Web.Features.Directory;
using Marketplace.Web.Infrastructure.Data;
using Marketplace.Web.Infrastructure.Email;
using Marketplace.Web.Infrastructure.Localization;
using Marketplace.Web.Infrastructure.Seeding;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Identity;
using Marketplace.Web.Domain.Accounts;
using Marketplace.Web.Infrastructure.Accounts;
using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.Mvc.Razor;
using Microsoft.Extensions.Options;

namespace Marketplace.Web.Infrastructure.Web;

public static class WebApplicationExtensions
{
    public static WebApplicationBuilder AddMarketplace(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var options = builder.Configuration.GetSection(MarketplaceOptions.Section).Get<MarketplaceOptions>() ?? new MarketplaceOptions();
        options.DataDirectory = Path.GetFullPath(string.IsNullOrWhiteSpace(options.DataDirectory)
            ? Path.Combine(builder.Environment.ContentRootPath, "data")
            : options.DataDirectory, builder.Environment.ContentRootPath);
        options.SeedDataDirectory = Path.GetFullPath(string.IsNullOrWhiteSpace(options.SeedDataDirectory)
            ? Path.Combine(AppContext.BaseDirectory, "seed-data")
            : options.SeedDataDirectory, builder.Environment.ContentRootPath);
        Directory.CreateDirectory(options.DataDirectory);
        if (!Uri.TryCreate(options.PublicBaseUrl, UriKind.Absolute, out var publicBase) || publicBase.Scheme is not ("http" or "https"))
            throw new InvalidOperationException("Marketplace:PublicBaseUrl must be an absolute http(s) address, such as https://annuaire.example.org.");
        services.AddSingleton(Options.Create(options));

        // The Host header is the client's to choose: outside Development and Testing only the public address (and the
        // loopback names, for local probes and benchmarks) is served unless AllowedHosts says otherwise; any other host
        // gets 400. Links never use the Host header anyway (PublicBaseUrl).
        if (string.IsNullOrWhiteSpace(builder.Configuration["AllowedHosts"])
            && !builder.Environment.IsDevelopment() && !builder.Environment.IsEnvironment("Testing"))
            services.Configure<Microsoft.AspNetCore.HostFiltering.HostFilteringOptions>(o => o.AllowedHosts = [publicBase.IdnHost, "localhost", "127.0.0.1", "[::1]"]);

        services.AddSingleton(TimeProvider.System);
        // One key ring for every instance, in the database; keys an older version kept in DataDirectory/keys are imported.
        services.AddMarketplaceDataProtection(options);
        services.AddMarketplaceData(builder.Configuration, options);
        var (databaseProvider, connectionString) = DataServiceCollectionExtensions.Connection(builder.Configuration, options);
        if (!string.IsNullOrWhiteSpace(connectionString))
            Jobs.Scheduling.AddMarketplaceJobs(builder, databaseProvider, connectionString);
        services.AddScoped<SeedDataLoader>();
        services.AddScoped<DemoAccounts>();
        services.AddScoped<DemoRoleAccounts>();
        services.AddScoped<SyntheticProviders>();
        services.AddScoped<SyntheticRequests>();
        services.AddScoped<SyntheticDigestRecipients>();
        services.AddScoped<DatabaseInitializer>();

        services.AddLocalization(o => o.ResourcesPath = "Resources");
        services.AddSingleton<Microsoft.Extensions.Localization.IStringLocalizer<SharedResource>, CachedStringLocalizer<SharedResource>>();
        services.Configure<RequestLocalizationOptions>(o =>
        {
            var cultures = new[] { Cultures.French, Cultures.English };
            o.DefaultRequestCulture = new RequestCulture(Cultures.French);
            o.SupportedCultures = cultures;
            o.SupportedUICultures = cultures;
            o.RequestCultureProviders = [new PathOrQueryCultureProvider()];
        });
        services.AddControllersWithViews(o => o.Filters.Add(new Microsoft.AspNetCore.Mvc.AutoValidateAntiforgeryTokenAttribute()))
            .AddViewLocalization()
            .AddRazorOptions(o =>
            {
                o.ViewLocationFormats.Clear();
                o.ViewLocationFormats.Add("/Features/{1}/{0}" + RazorViewEngine.ViewExtension);
                o.ViewLocationFormats.Add("/Features/Shared/{0}" + RazorViewEngine.ViewExtension);
            });
        services.AddProblemDetails();
        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database");
        services.Configure<ForwardedHeadersOptions>(o =>
        {
            // Behind a reverse proxy (deploy/README.md): the client's address (rate limit) and the scheme (https links,
            // HSTS). Only proxies listed here are believed; loopback is always trusted.
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            foreach (var proxy in options.TrustedProxies) o.KnownProxies.Add(System.Net.IPAddress.Parse(proxy));
        });
        services.AddHsts(o => o.MaxAge = TimeSpan.FromDays(365));
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = (context, _) =>
            {
                context.HttpContext.Response.Headers.RetryAfter = "60";
                return ValueTask.CompletedTask;
            };
            o.AddPolicy(Features.Account.AccountController.RateLimitPolicy, context => RateLimitPartition.GetFixedWindowLimiter(
                context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = options.AccountRequestsPerMinute, Window = TimeSpan.FromMinutes(1) }));
            // The HTML search pages: generous (a person never gets near it), but a scraper no longer bypasses the API's
            // limit by reading the pages. Counted here by route name so the search controller stays untouched.
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                context.GetEndpoint()?.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.RouteNameMetadata>()?.RouteName is "search.fr" or "search.en"
                    ? RateLimitPartition.GetFixedWindowLimiter(context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                        _ => new FixedWindowRateLimiterOptions { PermitLimit = options.SearchPagesPerMinute, Window = TimeSpan.FromMinutes(1) })
                    : RateLimitPartition.GetNoLimiter(""));
            o.AddPolicy(ProvidersApiController.RateLimitPolicy, context => RateLimitPartition.GetFixedWindowLimiter(
                context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = options.ApiRequestsPerMinute, Window = TimeSpan.FromMinutes(1) }));
        });

        // Outside Development the site requires HTTPS (directly or through the proxy's X-Forwarded-Proto): plain HTTP is
        // redirected, and every cookie is Secure. Marketplace:RequireHttps=false (benchmarks on plain HTTP) keeps cookies
        // Secure whenever the request is.
        var requireHttps = builder.Configuration.GetValue($"{MarketplaceOptions.Section}:RequireHttps", !builder.Environment.IsDevelopment());
        var cookiePolicy = requireHttps ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
        services.AddSingleton(new HttpsRequirement(requireHttps));
        services.AddIdentity<MarketplaceUser, IdentityRole>(o =>
            {
                // Length over composition rules, plus a list of common passwords (NIST SP 800-63B).
                o.Password.RequiredLength = 12;
                o.Password.RequireDigit = o.Password.RequireLowercase = o.Password.RequireUppercase = o.Password.RequireNonAlphanumeric = false;
                o.Password.RequiredUniqueChars = 4;
                // Progressive delays come first (SignInThrottle, ADR 0020); the hard lockout only after many failures.
                o.Lockout.MaxFailedAccessAttempts = SignInThrottle.HardLockoutFailures;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
                // One code, one sign-in (ADR 0020).
                o.Tokens.AuthenticatorTokenProvider = SingleUseAuthenticatorTokenProvider.Name;
                o.Lockout.AllowedForNewUsers = true;
                o.User.RequireUniqueEmail = true;
            })
            .AddEntityFrameworkStores<MarketplaceDbContext>()
            .AddDefaultTokenProviders()
            .AddTokenProvider<SingleUseAuthenticatorTokenProvider>(SingleUseAuthenticatorTokenProvider.Name)
            .AddPasswordValidator<CommonPasswordValidator>();
        // The cookie's roles are checked against the account at every request: a withdrawn role or a reset password
        // takes effect at once (one small query per signed-in request).
        services.Configure<SecurityStampValidatorOptions>(o => o.ValidationInterval = TimeSpan.Zero);
        services.ConfigureApplicationCookie(o =>
        {
            o.Cookie.Name = "panier.session";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.Cookie.SecurePolicy = cookiePolicy;
            o.LoginPath = "/fr/connexion";
            o.Events.OnRedirectToLogin = context =>
            {
                var login = context.Request.Path.StartsWithSegments("/en") ? "/en/login" : "/fr/connexion";
                context.Response.Redirect(Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString(login, "returnUrl",
                    context.Request.PathBase + context.Request.Path + context.Request.QueryString));
                return Task.CompletedTask;
            };
            // Signed in but without the role: the page does not exist for this person.
            o.Events.OnRedirectToAccessDenied = context =>
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            };
            // The retention job counts inactivity from the last sign-in (Law 25, s. 23; ADR 0027).
            o.Events.OnSignedIn = async context =>
            {
                var accounts = context.HttpContext.RequestServices.GetRequiredService<UserManager<MarketplaceUser>>();
                if (context.Principal is null || await accounts.GetUserAsync(context.Principal) is not { } user) return;
                user.SignedIn(context.HttpContext.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow());
                await accounts.UpdateAsync(user);
            };
            o.SlidingExpiration = true;
            o.ExpireTimeSpan = TimeSpan.FromHours(8);
        });
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "panier.af";
            o.Cookie.SecurePolicy = cookiePolicy;
        });

        var privacy = builder.Configuration.GetSection(PrivacyOptions.Section).Get<PrivacyOptions>() ?? new PrivacyOptions();
        // The privacy notice must state nothing false: Production does not start on placeholders (Law 25, s. 3.1 and 8).
        if (builder.Environment.IsProduction() && privacy.ProductionProblems() is { Count: > 0 } missing)
            throw new InvalidOperationException("The privacy settings are not set for Production / les réglages de confidentialité manquent : "
                + string.Join(" ", missing));
        services.AddSingleton(Options.Create(privacy));
        var retention = builder.Configuration.GetSection(RetentionOptions.Section).Get<RetentionOptions>() ?? new RetentionOptions();
        // Before issue 14 the outbox cleared sent bodies after Email:SentBodyRetentionDays: a deployment that set it keeps
        // its value until it sets Retention:EmailBodyDays (docs/operations.md).
        if (builder.Configuration["Retention:EmailBodyDays"] is null && builder.Configuration.GetValue<double?>("Email:SentBodyRetentionDays") is { } legacy)
            retention.EmailBodyDays = (int)Math.Ceiling(legacy);
        services.AddSingleton(Options.Create(retention));
        var email = builder.Configuration.GetSection(EmailOptions.Section).Get<EmailOptions>() ?? new EmailOptions();
        services.AddSingleton(Options.Create(email));
        // SendGrid without its key could send nothing: the site does not start (ADR 0032).
        if (email.Transport == EmailTransportKind.SendGrid && string.IsNullOrWhiteSpace(email.SendGrid.ApiKey))
            throw new InvalidOperationException(SendGridEmailTransport.MissingKey);
        if (email.Transport == EmailTransportKind.Smtp) services.AddSingleton<IEmailTransport, SmtpEmailTransport>();
        else if (email.Transport == EmailTransportKind.SendGrid) services.AddSingleton<IEmailTransport, SendGridEmailTransport>();
        else services.AddSingleton<IEmailTransport, FileEmailTransport>();
        services.AddScoped<SendGridEvents>();
        services.AddScoped<OutboxDelivery>();
        services.AddSingleton<OutboxSecrets>();
        if (email.BackgroundSender) services.AddHostedService<OutboxSender>();

        services.AddMemoryCache();
        services.AddScoped<Features.Legal.PrivacyNotice>();
        services.AddScoped<Features.Account.Registration>();
        services.AddScoped<Features.Privacy.StaffAccessLog>();
        services.AddScoped<Features.Privacy.PersonalDataExport>();
        services.AddScoped<Features.Account.EmailChange>();
        services.AddSingleton<SignInThrottle>();
        services.AddScoped<Features.TwoFactor.TwoFactorReset>();
        services.AddScoped<Features.Account.AccountDeletion>();
        services.AddScoped<Jobs.RetentionRun>();
        services.AddSingleton(Options.Create(builder.Configuration.GetSection(AccountLimitsOptions.Section).Get<AccountLimitsOptions>() ?? new AccountLimitsOptions()));
        services.AddScoped<ListingEmails>();
        services.AddScoped<Email.MemberEmails>();
        services.AddScoped<Features.Needs.NeedEmails>();
        services.AddScoped<Email.PublicAddressEmails>();
        services.AddScoped<Features.Conversations.ConversationDelivery>();
        services.AddSingleton(Options.Create(builder.Configuration.GetSection(Features.Conversations.MessageLimitOptions.Section)
            .Get<Features.Conversations.MessageLimitOptions>() ?? new Features.Conversations.MessageLimitOptions()));
        services.AddScoped<Features.Conversations.MessageLimits>();
        services.AddScoped<Features.Claims.ClaimDecisions>();
        services.AddScoped<Features.Needs.MatchCards>();
        services.AddScoped<Features.Digests.DigestSubscriptions>();
        services.AddScoped<Features.Digests.DigestRun>();
        var digest = builder.Configuration.GetSection(Features.Digests.DigestOptions.Section).Get<Features.Digests.DigestOptions>() ?? new();
        if (digest.ProvidersPerRequest < 1 || digest.RequestsPerDigest < 1)
            throw new InvalidOperationException("Digest:ProvidersPerRequest and Digest:RequestsPerDigest must be at least 1.");
        services.AddSingleton(Options.Create(digest));
        services.AddScoped<ListingWorkflow>();
        services.AddScoped<Reverification>();
        services.AddScoped<Features.Admin.ThesaurusChange>();
        services.AddScoped<Features.Admin.IncidentRegister>();
        services.AddScoped<Features.Curation.WithdrawalRequests>();
        services.AddScoped<Features.Matching.MatchingRun>();
        services.AddSingleton<Jobs.MatchingQueue>();
        services.AddHostedService<Search.SearchIndexFollower>();
        services.AddSingleton<VocabularyCache>();
        services.AddSingleton<DirectoryOverviewCache>();
        services.AddSingleton<SearchPageCache>();
        services.AddSingleton<ProviderPageCache>();
        services.AddScoped<RequestSearchVersion>();
        services.AddScoped<Vocabulary>();
        services.AddScoped<SearchQueryParser>();
        services.AddScoped<SearchProviders>();
        services.AddScoped<ProviderPage>();
        return builder;
    }

    public static async Task InitializeDatabaseAsync(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<MarketplaceOptions>>().Value;
        if (!options.InitializeDatabaseOnStartup) return;
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<DatabaseInitializer>().InitializeAsync(CancellationToken.None);
        // « Essayer en deux minutes »: one account per role, in Development only (the class checks the environment too).
        if (app.Environment.IsDevelopment() && options.DemoAccounts)
            await scope.ServiceProvider.GetRequiredService<DemoRoleAccounts>().EnsureAsync(CancellationToken.None);
    }

    public static WebApplication UseMarketplace(this WebApplication app)
    {
        app.UseForwardedHeaders();
        app.UseMiddleware<SecurityHeadersMiddleware>();
        if (app.Services.GetRequiredService<HttpsRequirement>().Required)
        {
            var publicBase = new Uri(app.Services.GetRequiredService<IOptions<MarketplaceOptions>>().Value.PublicBaseUrl);
            var httpsOrigin = publicBase.Scheme == Uri.UriSchemeHttps ? publicBase.GetLeftPart(UriPartial.Authority) : $"https://{publicBase.Host}";
            app.Use(async (context, next) =>
            {
                // /healthz stays reachable over HTTP for local probes; everything else moves to HTTPS (308 keeps the method).
                if (context.Request.IsHttps || context.Request.Path.StartsWithSegments("/healthz"))
                {
                    await next();
                    return;
                }
                // The public address, never the Host header (a client could send any).
                var url = $"{httpsOrigin}{context.Request.PathBase}{context.Request.Path}{context.Request.QueryString}";
                context.Response.StatusCode = StatusCodes.Status308PermanentRedirect;
                context.Response.Headers.Location = url;
            });
        }
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/error/500");
            app.UseHsts();
        }
        app.UseStatusCodePagesWithReExecute("/error/{0}");
        app.UseStaticFiles();
        app.UseRequestLocalization();
        app.UseRouting();
        app.UseMiddleware<RequestBodyGuardMiddleware>();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        // A probe reads; anything else is 405.
        app.MapHealthChecks("/healthz").WithMetadata(new HttpMethodMetadata([HttpMethods.Get, HttpMethods.Head]));
        app.MapGet("/", () => Results.Redirect("/fr"));
        app.MapControllers();
        Jobs.JobsDashboard.MapJobsDashboard(app);
        return app;
    }
}

public static class Cultures
{
    public static readonly CultureInfo French = CultureInfo.GetCultureInfo("fr-CA");
    public static readonly CultureInfo English = CultureInfo.GetCultureInfo("en-CA");

    public static bool IsEnglish => CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "en";

    /// <summary>"fr" or "en", from the current request's culture.</summary>
    public static string Current => IsEnglish ? "en" : "fr";

    /// <summary>Renders in one language until disposed (emails go out in the recipient's language, whatever the request's).</summary>
    public static IDisposable UseLanguage(string language)
    {
        var (culture, ui) = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
        CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = language == "en" ? English : French;
        return new Restore(() => (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = (culture, ui));
    }

    private sealed class Restore(Action restore) : IDisposable
    {
        public void Dispose() => restore();
    }

    /// <summary>Quebec's time zone: dates shown to people are the local date, not the UTC one.</summary>
    public static readonly TimeZoneInfo QuebecTime = TimeZoneInfo.FindSystemTimeZoneById("America/Toronto");

    /// <summary>« 21 novembre 2026 » / "November 21, 2026" (no weekday), in Quebec time.</summary>
    public static string LongDate(DateTimeOffset instant)
    {
        var local = TimeZoneInfo.ConvertTime(instant, QuebecTime);
        return IsEnglish
            ? local.ToString("MMMM d, yyyy", English)
            : local.ToString("d MMMM yyyy", French);
    }

    /// <summary>« 16 novembre 2026 » / "November 16, 2026" for a calendar day (a digest's week, say).</summary>
    public static string LongDate(DateOnly day) =>
        IsEnglish ? day.ToString("MMMM d, yyyy", English) : day.ToString("d MMMM yyyy", French);

    /// <summary>The Quebec-local date as yyyy-MM-dd, for &lt;time datetime&gt;.</summary>
    public static string IsoDate(DateTimeOffset instant) =>
        TimeZoneInfo.ConvertTime(instant, QuebecTime).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}

/// <summary>Whether this instance requires HTTPS (Marketplace:RequireHttps; default: outside Development).</summary>
public sealed record HttpsRequirement(bool Required);
