using System.Net;
using AngleSharp.Html.Dom;
using Marketplace.Tests.Support;
using Marketplace.Web.Domain.Listings;
using Marketplace.Web.Domain.Taxonomy;
using Marketplace.Web.Infrastructure.Data;
using Marketplace.Web.Infrastructure.Search;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Tests.Integration;

/// <summary>
/// Issue 13, « Synonymes de la recherche »: the verification team and admins keep the search thesaurus through the real
/// forms; every change is audited and told to search in the same transaction; refusals keep what was typed.
/// </summary>
[TestFixture(DatabaseProvider.Sqlite)]
[TestFixture(DatabaseProvider.Postgres)]
public sealed class SynonymsAdminTests(DatabaseProvider provider)
{
    private MarketplaceFactory _factory = null!;
    private readonly Dictionary<string, Browsing> _staff = [];

    [OneTimeSetUp]
    public async Task Start()
    {
        _factory = await MarketplaceFactory.StartAsync(provider);
        _staff["curator"] = await CurationJourneyTests.CuratorAsync(_factory, $"synonymes-verif-{Suffix}@exemple.invalid");
        _staff["admin"] = await CurationJourneyTests.CuratorAsync(_factory, $"synonymes-admin-{Suffix}@exemple.invalid", "admin");
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        foreach (var person in _staff.Values) person.Dispose();
        await _factory.DisposeAsync();
    }

    private string Suffix => provider.ToString().ToLowerInvariant();

    private const string List = "/fr/admin/synonymes";

    private static string Alert(IHtmlDocument page) => page.QuerySelector(".alert")?.TextContent ?? "";

    private static string Typed(IHtmlDocument page) => (page.QuerySelector("#alternatives") as IHtmlTextAreaElement)?.Value ?? "";

    private Task<int> GroupCountAsync() => _factory.WithDbAsync(db => db.SynonymGroups.CountAsync());

    /// <summary>The group that has <paramref name="word"/> as one of its alternatives, exactly.</summary>
    private async Task<SynonymGroup?> GroupWithAsync(string word) =>
        (await _factory.WithDbAsync(db => db.SynonymGroups.AsNoTracking().ToListAsync())).SingleOrDefault(g => g.Alternatives.Contains(word));

    private static async Task<HttpResponseMessage> AddAsync(Browsing staff, string alternatives, string list = List)
    {
        var (_, page) = await staff.GetAsync(list);
        var (response, _) = await staff.SubmitAsync(page, "form.add-form", new Dictionary<string, string> { ["alternatives"] = alternatives });
        return response;
    }

    // ---- Who may use it ----

    [TestCase("/fr/admin/synonymes", "/fr/connexion")]
    [TestCase("/en/admin/synonyms", "/en/login")]
    public async Task Anonymous_visitors_are_sent_to_sign_in(string path, string login)
    {
        using var anonymous = new Browsing(_factory);
        var (response, _) = await anonymous.GetAsync(path);
        response.IsRedirectTo(login);
    }

    [TestCase("Nonprofit")]
    [TestCase("Provider")]
    public async Task Nonprofit_and_provider_accounts_do_not_see_the_page(string kind)
    {
        // Staff pages answer 404 to a signed-in person without the role (the page does not exist for them), as everywhere.
        using var person = await CurationJourneyTests.SignUpAsync(_factory, $"synonymes-{kind.ToLowerInvariant()}-{Suffix}@exemple.invalid",
            $"Organisme {kind} synonymes", kind);
        foreach (var path in new[] { "/fr/admin/synonymes", "/en/admin/synonyms", "/fr/admin/synonymes/1" })
        {
            var (response, _) = await person.GetAsync(path);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), path);
        }
    }

    [Test]
    public async Task The_curation_and_admin_pages_link_to_the_synonyms()
    {
        var (_, queue) = await _staff["curator"].GetAsync("/fr/conservation");
        Assert.That(queue.QuerySelectorAll("a").Any(a => a.GetAttribute("href") == List && a.TextContent == "Synonymes de la recherche"));
        var (_, accounts) = await _staff["admin"].GetAsync("/en/admin/accounts");
        Assert.That(accounts.QuerySelectorAll("a").Any(a => a.GetAttribute("href") == "/en/admin/synonyms" && a.TextContent == "Search synonyms"));
    }

    // ---- List and filter ----

    [Test]
    public async Task The_list_shows_every_group_joined_with_dots_and_filters_ignoring_accents_and_case()
    {
        var total = await GroupCountAsync();
        Assert.That(total, Is.GreaterThan(0), "seeded from seed-data/synonymes.txt");
        var (response, page) = await _staff["curator"].GetAsync(List);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(page.QuerySelectorAll("table.synonyms tbody tr"), Has.Length.EqualTo(total));
        var seeded = await GroupWithAsync("reconditionné");
        Assert.That(page.QuerySelector("table.synonyms")!.TextContent, Does.Contain(string.Join(" · ", seeded!.Alternatives)));

        // « RECONDITIONNE » finds « reconditionné »: no JavaScript, a GET form.
        var (_, filtered) = await _staff["curator"].GetAsync(List + "?q=RECONDITIONNE");
        var rows = filtered.QuerySelectorAll("table.synonyms tbody tr").Select(r => r.TextContent).ToArray();
        Assert.That(rows, Has.Some.Contain(string.Join(" · ", seeded.Alternatives)));
        Assert.That(rows, Has.All.Contain("recondition").IgnoreCase);
        Assert.That(rows, Has.Length.LessThan(total));
        Assert.That((filtered.QuerySelector("#synonyms-q") as IHtmlInputElement)?.Value, Is.EqualTo("RECONDITIONNE"));
        var (_, none) = await _staff["curator"].GetAsync(List + "?q=motquinexistepas");
        Assert.That(none.QuerySelectorAll("table.synonyms tbody tr"), Is.Empty);
        Assert.That(none.QuerySelector("main")!.TextContent, Does.Contain("Aucun groupe ne contient « motquinexistepas »"));
    }

    // ---- Add, edit, delete, by a curator and by an admin, audited ----

    [TestCase("curator")]
    [TestCase("admin")]
    public async Task Staff_add_edit_and_delete_a_group_and_each_change_is_audited_with_before_and_after(string role)
    {
        var staff = _staff[role];
        var word = $"bidouille{role}";
        var added = await AddAsync(staff, $"{word}, Patente {role}\nastuce {role}");
        added.IsRedirectTo(List);
        var group = await GroupWithAsync(word);
        Assert.That(group!.Alternatives, Is.EqualTo(new[] { word, $"Patente {role}", $"astuce {role}" }));
        var (_, list) = await staff.GetAsync(List);
        Assert.That(list.QuerySelector("[role=status]")?.TextContent, Does.Contain("Groupe ajouté"));
        Assert.That(list.QuerySelector("table.synonyms")!.TextContent, Does.Contain($"{word} · Patente {role} · astuce {role}"));

        // Edit: one textarea, commas or line breaks.
        var (_, edit) = await staff.GetAsync($"{List}/{group.Id}");
        Assert.That(Typed(edit), Is.EqualTo($"{word}\nPatente {role}\nastuce {role}"));
        var (saved, _) = await staff.SubmitAsync(edit, "form.edit-form",
            new Dictionary<string, string> { ["alternatives"] = $"{word}, astuce {role}, truc {role}" });
        saved.IsRedirectTo(List);
        Assert.That((await GroupWithAsync(word))!.Alternatives, Is.EqualTo(new[] { word, $"astuce {role}", $"truc {role}" }));

        // Delete: the first POST only asks (ADR 0016), the confirmed one deletes.
        (_, list) = await staff.GetAsync(List);
        var row = list.QuerySelectorAll("table.synonyms tbody tr").Single(r => r.TextContent.Contains(word));
        row.QuerySelector("form.delete-form")!.Id = "delete";
        var (asked, confirmation) = await staff.SubmitAsync(list, "#delete");
        Assert.That(asked.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(confirmation.QuerySelector("h1")!.TextContent, Does.Contain($"Supprimer le groupe « {word} · astuce {role} · truc {role} »"));
        Assert.That(await GroupWithAsync(word), Is.Not.Null, "nothing deleted before the confirmation");
        var (deleted, _) = await staff.SubmitAsync(confirmation, "form.confirm-form");
        deleted.IsRedirectTo(List);
        Assert.That(await GroupWithAsync(word), Is.Null);

        var actorId = await _factory.WithDbAsync(db => db.Users.Where(u => u.Email == $"synonymes-{(role == "admin" ? "admin" : "verif")}-{Suffix}@exemple.invalid")
            .Select(u => u.Id).SingleAsync());
        var audit = await _factory.WithDbAsync(db => db.AuditEntries.AsNoTracking()
            .Where(a => a.Action == AuditAction.SynonymsChanged && a.ActorUserId == actorId && a.Reason!.Contains(word))
            .OrderBy(a => a.Id).ToListAsync());
        Assert.That(audit.Select(a => a.Reason), Is.EqualTo(new[]
        {
            $"avant : — / après : {word} · Patente {role} · astuce {role}",
            $"avant : {word} · Patente {role} · astuce {role} / après : {word} · astuce {role} · truc {role}",
            $"avant : {word} · astuce {role} · truc {role} / après : —",
        }));
        Assert.That(audit.All(a => a.OrganizationId == 0 && a.ProviderId is null && a.RevisionId is null));
    }

    [Test]
    public async Task The_page_shows_recent_changes_with_who_made_them_by_name_not_id()
    {
        var curatorId = await _factory.WithDbAsync(async db =>
        {
            var user = await db.Users.SingleAsync(u => u.Email == $"synonymes-verif-{Suffix}@exemple.invalid");
            user.DisplayName = "Camille Vérificatrice";
            await db.SaveChangesAsync();
            return user.Id;
        });
        (await AddAsync(_staff["curator"], "gazouillis, pépiement")).IsRedirectTo(List);
        var (_, list) = await _staff["curator"].GetAsync(List);
        var history = list.QuerySelector("table.synonym-history")!;
        var row = history.QuerySelectorAll("tbody tr").First(r => r.TextContent.Contains("gazouillis"));
        Assert.That(row.TextContent, Does.Contain("Camille Vérificatrice").And.Contain("avant : — / après : gazouillis · pépiement"));
        Assert.That(history.TextContent, Does.Not.Contain(curatorId));
    }

    // ---- Refusals keep what was typed, save nothing ----

    [TestCase("/fr/admin/synonymes", "seulement-un", "au moins deux mots ou expressions")]
    [TestCase("/en/admin/synonyms", "only-one", "at least two different words or phrases")]
    [TestCase("/fr/admin/synonymes", "a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r, s, t, u", "au plus 20 mots ou expressions")]
    [TestCase("/en/admin/synonyms", "court, " + "longlonglonglonglonglonglonglonglonglonglonglonglonglonglonglong", "at most 60 characters")]
    public async Task An_invalid_group_is_refused_with_a_clear_message_in_the_page_language_and_what_was_typed_is_kept(
        string list, string typed, string message)
    {
        var before = await GroupCountAsync();
        var (_, page) = await _staff["curator"].GetAsync(list);
        var (response, refused) = await _staff["curator"].SubmitAsync(page, "form.add-form", new Dictionary<string, string> { ["alternatives"] = typed });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(Alert(refused), Does.Contain(message));
        Assert.That(Typed(refused), Is.EqualTo(typed));
        Assert.That(await GroupCountAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task An_invalid_edit_is_refused_and_the_group_stays_as_it_was()
    {
        (await AddAsync(_staff["curator"], "ronronner, miauler")).IsRedirectTo(List);
        var group = await GroupWithAsync("ronronner");
        var (_, edit) = await _staff["curator"].GetAsync($"/en/admin/synonyms/{group!.Id}");
        var (response, refused) = await _staff["curator"].SubmitAsync(edit, "form.edit-form", new Dictionary<string, string> { ["alternatives"] = "ronronner" });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(Alert(refused), Does.Contain("at least two different words"));
        Assert.That(Typed(refused), Is.EqualTo("ronronner"));
        Assert.That((await GroupWithAsync("ronronner"))!.Terms, Is.EqualTo(group.Terms));
    }

    [Test]
    public async Task A_word_already_in_another_group_is_refused_naming_that_group()
    {
        var before = await GroupCountAsync();
        var (_, page) = await _staff["curator"].GetAsync(List);
        var typed = "machinchouette, ORDINATEUR";
        var (response, refused) = await _staff["curator"].SubmitAsync(page, "form.add-form", new Dictionary<string, string> { ["alternatives"] = typed });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        var seeded = await GroupWithAsync("ordinateur");
        Assert.That(Alert(refused), Does.Contain($"« ORDINATEUR » est déjà dans le groupe « {string.Join(" · ", seeded!.Alternatives)} »"));
        Assert.That(Typed(refused), Is.EqualTo(typed));
        Assert.That(await GroupCountAsync(), Is.EqualTo(before));

        // Its own words are not « another group »: a group can be saved with the words it already has.
        (await AddAsync(_staff["curator"], "grignoter, picorer")).IsRedirectTo(List);
        var group = await GroupWithAsync("grignoter");
        var (_, edit) = await _staff["curator"].GetAsync($"{List}/{group!.Id}");
        var (saved, _) = await _staff["curator"].SubmitAsync(edit, "form.edit-form", new Dictionary<string, string> { ["alternatives"] = "Grignoter, picorer, mâchouiller" });
        saved.IsRedirectTo(List);
    }

    [Test]
    public async Task A_second_curator_saving_a_group_changed_since_they_opened_it_gets_409_with_the_current_group_and_their_text()
    {
        (await AddAsync(_staff["curator"], "clavarder, bavarder")).IsRedirectTo(List);
        var group = await GroupWithAsync("clavarder");
        var (_, first) = await _staff["curator"].GetAsync($"{List}/{group!.Id}");
        var (_, second) = await _staff["admin"].GetAsync($"{List}/{group.Id}");

        var (saved, _) = await _staff["admin"].SubmitAsync(second, "form.edit-form", new Dictionary<string, string> { ["alternatives"] = "clavarder, bavarder, jaser" });
        saved.IsRedirectTo(List);
        var (stale, page) = await _staff["curator"].SubmitAsync(first, "form.edit-form", new Dictionary<string, string> { ["alternatives"] = "clavarder, causer" });
        Assert.That(stale.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That(Alert(page), Does.Contain("Une autre personne a changé ce groupe"));
        Assert.That(page.QuerySelector(".current-group")!.TextContent, Is.EqualTo("clavarder · bavarder · jaser"));
        Assert.That(Typed(page), Is.EqualTo("clavarder, causer"));
        Assert.That((await GroupWithAsync("clavarder"))!.Alternatives, Is.EqualTo(new[] { "clavarder", "bavarder", "jaser" }), "not overwritten");

        // Having seen the other change, saving again is deliberate and goes through.
        var (again, _) = await _staff["curator"].SubmitAsync(page, "form.edit-form");
        again.IsRedirectTo(List);
        Assert.That((await GroupWithAsync("clavarder"))!.Alternatives, Is.EqualTo(new[] { "clavarder", "causer" }));
    }

    [Test]
    public async Task A_post_without_its_antiforgery_token_is_refused_and_nothing_is_saved()
    {
        var before = await GroupCountAsync();
        var (_, page) = await _staff["curator"].GetAsync(List);
        var (response, _) = await _staff["curator"].SubmitAsync(page, "form.add-form",
            new Dictionary<string, string> { ["alternatives"] = "sansjeton, nojeton" }, withToken: false);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await GroupCountAsync(), Is.EqualTo(before));
    }

    // ---- Search follows ----

    [Test]
    public async Task A_change_writes_a_search_change_of_kind_synonyms_in_the_same_transaction()
    {
        var last = await _factory.WithDbAsync(db => db.SearchChanges.Select(c => (long?)c.Version).MaxAsync());
        (await AddAsync(_staff["curator"], "vrombir, ronfler")).IsRedirectTo(List);
        var changes = await _factory.WithDbAsync(db => db.SearchChanges.AsNoTracking().Where(c => c.Version > (last ?? 0)).ToListAsync());
        Assert.That(changes.Select(c => c.Kind), Does.Contain(SearchChangeKind.Synonyms));
        Assert.That(changes.Single(c => c.Kind == SearchChangeKind.Synonyms).ProviderId, Is.Null);
    }

    [Test]
    public async Task A_synonym_added_by_a_curator_is_used_by_the_next_search_without_a_restart()
    {
        using var visitor = new Browsing(_factory);
        var (_, before) = await visitor.GetAsync("/fr/recherche?q=zorglub");
        Assert.That(before.QuerySelectorAll("article.card").Select(c => c.TextContent).Where(t => t.Contains("SynergITIC")), Is.Empty);

        (await AddAsync(_staff["curator"], "zorglub, SynergITIC")).IsRedirectTo(List);
        var (_, after) = await visitor.GetAsync("/fr/recherche?q=zorglub");
        Assert.That(after.QuerySelectorAll("article.card").Select(c => c.TextContent).Any(t => t.Contains("SynergITIC")), Is.True,
            "the provider whose name is in the new group is found by its synonym");
    }
}
