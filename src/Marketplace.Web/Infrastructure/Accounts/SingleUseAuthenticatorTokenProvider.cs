using System.Globalization;
using System.Security.Cryptography;
using Marketplace.Web.Domain.Accounts;
using Microsoft.AspNetCore.Identity;

namespace Marketplace.Web.Infrastructure.Accounts;

/// <summary>
/// Identity's authenticator check (RFC 6238, 30-second steps, two steps of drift either way) with one addition: a code
/// is accepted once. The last accepted time step is kept among the user's Identity tokens (<c>user_tokens</c>, no schema
/// change) and a code whose step is not newer is refused, so one code cannot open two sessions. Saving the step goes
/// through the user's concurrency stamp: two requests racing with the same code cannot both win.
/// </summary>
public sealed class SingleUseAuthenticatorTokenProvider(TimeProvider time) : AuthenticatorTokenProvider<MarketplaceUser>
{
    public const string Name = "SingleUseAuthenticator";
    public const string LoginProvider = "Marketplace";
    public const string LastStepToken = "LastTotpStep";

    private const int Drift = 2;

    public override async Task<bool> ValidateAsync(string purpose, string token, UserManager<MarketplaceUser> manager, MarketplaceUser user)
    {
        var key = await manager.GetAuthenticatorKeyAsync(user);
        if (string.IsNullOrEmpty(key) || token.Length != 6 || !token.All(char.IsAsciiDigit)) return false;
        var secret = Base32Decode(key);
        if (secret is null) return false;
        var now = time.GetUtcNow().ToUnixTimeSeconds() / 30;
        long? matched = null;
        for (var step = now - Drift; step <= now + Drift && matched is null; step++)
            if (CryptographicOperations.FixedTimeEquals(System.Text.Encoding.ASCII.GetBytes(Code(secret, step)), System.Text.Encoding.ASCII.GetBytes(token)))
                matched = step;
        if (matched is null) return false;
        var last = await manager.GetAuthenticationTokenAsync(user, LoginProvider, LastStepToken);
        if (long.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var lastStep) && matched <= lastStep) return false;
        var saved = await manager.SetAuthenticationTokenAsync(user, LoginProvider, LastStepToken, matched.Value.ToString(CultureInfo.InvariantCulture));
        return saved.Succeeded;
    }

    /// <summary>HMAC-SHA1 of the big-endian step, dynamic truncation, six digits.</summary>
    private static string Code(byte[] secret, long step)
    {
        Span<byte> counter = stackalloc byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(counter, step);
        var hash = HMACSHA1.HashData(secret, counter);
        var offset = hash[^1] & 0x0f;
        var binary = ((hash[offset] & 0x7f) << 24) | (hash[offset + 1] << 16) | (hash[offset + 2] << 8) | hash[offset + 3];
        return (binary % 1_000_000).ToString("D6", CultureInfo.InvariantCulture);
    }

    private static byte[]? Base32Decode(string text)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var bytes = new List<byte>(text.Length * 5 / 8);
        int buffer = 0, bits = 0;
        foreach (var c in text.TrimEnd('=').ToUpperInvariant())
        {
            var value = alphabet.IndexOf(c);
            if (value < 0) return null;
            buffer = (buffer << 5) | value;
            bits += 5;
            if (bits >= 8)
            {
                bytes.Add((byte)(buffer >> (bits - 8)));
                bits -= 8;
            }
        }
        return bytes.ToArray();
    }
}
