using Marketplace.Web.Infrastructure.Accounts;

namespace Marketplace.Tests.Unit;

public sealed class PasswordTests
{
    [TestCase("motdepasse123")]
    [TestCase("MotDePasse2026")]
    [TestCase("123456789012")]
    [TestCase("aaaaaaaaaaaaaa")]
    [TestCase("azertyuiopqsd")]
    [TestCase("abababababab")]
    [TestCase("camille.tremblay-2026", "camille.tremblay@exemple.invalid")]
    public void Common_or_guessable_passwords_are_weak(string password, string? email = null) =>
        Assert.That(CommonPasswordValidator.IsWeak(password, email), Is.True);

    [TestCase("une phrase de passe assez longue")]
    [TestCase("Vélo-Rouge-Sur-La-Côte-42")]
    public void Long_uncommon_passphrases_are_accepted(string password) =>
        Assert.That(CommonPasswordValidator.IsWeak(password, "camille@exemple.invalid"), Is.False);
}
