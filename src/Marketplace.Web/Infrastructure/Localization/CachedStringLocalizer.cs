using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Localization;

namespace Marketplace.Web.Infrastructure.Localization;

/// <summary>
/// The resource files' strings, kept once read, per UI culture and key. A page asks for dozens of strings (the layout
/// alone about twenty) and <see cref="ResourceManagerStringLocalizer"/> walks the culture fallback and takes a lock on
/// every lookup; the files do not change while the site runs. Same results as the wrapped localizer, formatting included.
/// </summary>
public sealed class CachedStringLocalizer<T> : IStringLocalizer<T>
{
    /// <summary>Keys come from the code, so the set is small; the bound only guards against a key built from input.</summary>
    private const int MaxEntries = 20_000;

    private readonly IStringLocalizer _inner;
    private readonly ConcurrentDictionary<(string Culture, string Name), LocalizedString> _strings = new();

    public CachedStringLocalizer(IStringLocalizerFactory factory) => _inner = factory.Create(typeof(T));

    public LocalizedString this[string name]
    {
        get
        {
            var key = (CultureInfo.CurrentUICulture.Name, name);
            if (_strings.TryGetValue(key, out var found)) return found;
            found = _inner[name];
            if (_strings.Count < MaxEntries) _strings.TryAdd(key, found);
            return found;
        }
    }

    // As ResourceManagerStringLocalizer: the format in the current culture, the name itself when the key is missing.
    public LocalizedString this[string name, params object[] arguments]
    {
        get
        {
            var format = this[name];
            return new LocalizedString(name, string.Format(CultureInfo.CurrentCulture, format.Value, arguments), format.ResourceNotFound, format.SearchedLocation);
        }
    }

    public IEnumerable<LocalizedString> GetAllStrings(bool includeParentCultures) => _inner.GetAllStrings(includeParentCultures);
}
