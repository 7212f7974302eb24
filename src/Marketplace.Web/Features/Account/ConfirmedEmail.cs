using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ViewFeatures;

namespace Marketplace.Web.Features.Account;

/// <summary>
/// Organization accounts write to others (needs, messages, shared details, interest) only once their address is
/// confirmed (ADR 0017). A refusal is a 403 that shows the page again with what was typed, the reason, and a button to
/// get a new confirmation link.
/// </summary>
public static class ConfirmedEmail
{
    /// <summary>The ViewData flag that makes <c>_Errors</c> offer « Renvoyer le courriel de confirmation ».</summary>
    public const string RefusedKey = "ConfirmEmailFirst";

    public const int RefusedStatus = StatusCodes.Status403Forbidden;

    /// <summary>Sets the 403, the message and the resend button on the view about to be rendered again.</summary>
    public static void Refuse(Controller controller, string message)
    {
        controller.Response.StatusCode = RefusedStatus;
        controller.ViewData["Errors"] = new[] { message };
        controller.ViewData[RefusedKey] = true;
    }
}
