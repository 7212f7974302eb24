"""Writes the search section of docs/benchmarks.md from the files tests/benchmarks/search.sh left in its work directory.

Usage: python3 search_report.py WORK_DIR DOC "PARTS". The section has one block per part (engines, pages) and a
hand-written block (search-history) that is kept as it is; a part that was not run keeps its previous figures.
"""
import os
import re
import sys

work, doc_path, parts = sys.argv[1], sys.argv[2], sys.argv[3].split()
env = os.environ
target_p95 = float(env["target_p95"])
target_memory = float(env["target_memory"])
labels = {"new": env["new_label"], "previous": env["previous_label"]}
page_targets = {"search": 0.25, "home": 0.35, "provider": 0.35}
page_names = {"about": "about (reference)", "search": "search, one word", "home": "home", "provider": "provider page"}


def rows(name):
    path = os.path.join(work, name)
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [line.rstrip("\n").split("|") for line in f if line.strip()]


def engines_block():
    lines = ["<!-- search-engines:begin -->", f"### Latency and memory at {env['providers']} synthetic providers", "",
             env["measured_engines"], "",
             "Set-up: both builds published the same way (Release, ReadyToRun), `ASPNETCORE_ENVIRONMENT=Production`, "
             f"{env['providers']} synthetic providers plus the seed data (`seed --synthetic {env['providers']}`, one fresh database per build; "
             "PostgreSQL: `VACUUM ANALYZE` after the bulk load, `shared_buffers=256MB`), "
             f"wrk with 2 threads and {env['connections']} connections for {env['duration']} s per line after a {env['warmup']} s warm-up, "
             "site and wrk on the same machine, the results-page cache off (`Marketplace:SearchPageCacheEntries=0`). « Previous engine » is commit "
             f"`{env['previous']}` (before issue 13) built from a temporary `git worktree`, in the same run. "
             f"Target: p95 ≤ {target_p95:g} ms on every line, peak site memory ≤ {target_memory:g} MB.",
             "Latencies in milliseconds; the API returns 20 items and the facets, the page renders 20 cards and every facet. "
             "Synthetic descriptions put two domain words per sentence among Zipf-distributed made-up words, so « formation » "
             "matches about a third of the directory; « synthetique » is in every synthetic name. wrk repeats one URL, so with "
             "the text-match cache on (the default, `Marketplace:SearchTextCacheEntries`) the text is matched once per index "
             "version; with it off (`=0`) every request matches it again, as a new text would.", ""]
    data = rows("latencies.txt")
    keys = []
    by_key = {}
    for build, engine, cache, surface, name, path, p50, p95, p99, rps, errors in data:
        key = (engine, cache, surface, name, path)
        if key not in by_key:
            keys.append(key)
            by_key[key] = {}
        by_key[key][build] = (p50, p95, p99, rps, int(errors))
    lines += ["| database | text-match cache | surface | scenario | path | previous p50 | p95 | p99 | this build p50 | p95 | p99 | req/s (previous → this) | verdict (this build) |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for key in keys:
        engine, cache, surface, name, path = key
        old = by_key[key].get("previous")
        new = by_key[key].get("new")
        cells = list(old[:3]) if old else ["–"] * 3
        cells += list(new[:3]) if new else ["–"] * 3
        rps = f"{old[3] if old else '–'} → {new[3] if new else '–'}"
        verdict = "–"
        if new:
            verdict = "ok" if float(new[1]) <= target_p95 else "**over target**"
            if new[4]:
                verdict = f"**{new[4]} errors**"
        lines.append(f"| {engine} | {cache.replace('text cache ', '')} | {surface} | {name} | `{path}` | " + " | ".join(cells) + f" | {rps} | {verdict} |")
    lines += ["", "Memory of the site process, read from /proc after each run of lines (the peak is the kernel's high-water mark); "
              "the highest of the samples taken every 0.2 s while the site ran, with what it was doing then (start: building "
              "or opening its index; settle: the first searches; a line; changes: the 40 changes under load):", "",
              "| database | build | text-match cache | seeding (s) | published providers | RSS after the runs (MB) | peak RSS (MB) | highest sample (every 0.2 s) | verdict |",
              "|---|---|---|---|---|---|---|---|---|"]
    for build, engine, cache, seed, total, rss, peak, *highest in rows("memory.txt"):
        verdict = "ok" if float(peak) <= target_memory else "**over target**"
        sample = highest[0] if highest and highest[0] else "–"
        lines.append(f"| {engine} | {labels[build]} | {cache} | {seed} | {total} | {rss} | {peak} | {sample} | {verdict} |")
    lines += ["", "Update to visible while searches run (target p95 ≤ 1 s on the instance that made the change, ≤ 2 s on another). "
              "Each change is made in the database as another instance makes it and found by the site's background "
              "follower (`tests/benchmarks/update_visible.sh`), the slower of the two paths; both targets are checked against it:", ""]
    visible = rows("visible.txt")
    if visible:
        lines += ["| database | changes | p50 (ms) | p95 (ms) | max (ms) | searches p95 meanwhile (ms) | verdict |", "|---|---|---|---|---|---|---|"]
        for engine, changes, p50, p95, p99, search_p95 in visible:
            verdict = "ok" if float(p95) <= 1000 else "**over target**"
            lines.append(f"| {engine} | {changes} | {p50} | {p95} | {p99} | {search_p95} | {verdict} |")
    else:
        lines.append("not measured in this run.")
    lines.append("<!-- search-engines:end -->")
    return "\n".join(lines)


def pages_block():
    lines = ["<!-- search-pages:begin -->", "### Page throughput with the seed data", "", env["measured_pages"], "",
             "Set-up: the seed data only (`seed`, a fresh database per build and database), both builds published the same "
             "way (Release, ReadyToRun), `ASPNETCORE_ENVIRONMENT=Production`, default settings (text-match and results-page caches on: wrk repeats one URL, so the search line is "
             "mostly served from the results kept for the version), "
             f"wrk with 1 thread and {env['page_connections']} connections for {env['page_duration']} s per page after a "
             f"{env['page_warmup']} s warm-up, anonymous. The ratio is the page's requests per second over those of "
             "`/fr/a-propos` (a page with no database work), measured just before and just after it in the same run of the same build. Targets: search ≥ 0.25, "
             "home and provider page ≥ 0.35.", "",
             "| database | page | path | previous req/s | previous ratio | this build req/s | this build ratio | target | verdict (this build) |",
             "|---|---|---|---|---|---|---|---|---|"]
    data = rows("pages.txt")
    # Per build and database, the pages in the order measured, /fr/a-propos between them: a page's reference is the mean
    # of the about lines just before and just after it.
    runs = {}
    for build, engine, name, path, rps, errors in data:
        runs.setdefault((build, engine), []).append((name, path, float(rps), int(errors)))
    result = {}
    order = []
    for (build, engine), lines_ in runs.items():
        abouts = [r for n, _, r, _ in lines_ if n == "about"]
        for i, (name, path, rps, errors) in enumerate(lines_):
            if name == "about":
                ratio, rps_shown = None, sum(abouts) / len(abouts)
                errors = sum(e for n, _, _, e in lines_ if n == "about")
            else:
                before = next(r for n, _, r, _ in reversed(lines_[:i]) if n == "about")
                after = next((r for n, _, r, _ in lines_[i + 1:] if n == "about"), before)
                ratio, rps_shown = rps / ((before + after) / 2), rps
            if (engine, name) not in result:
                order.append((engine, name))
                result[(engine, name)] = {"path": path}
            result[(engine, name)][build] = (rps_shown, ratio, errors)
    for engine, name in order:
        r = result[(engine, name)]
        cells = []
        for build in ("previous", "new"):
            if build in r:
                rps, ratio, _ = r[build]
                cells += [f"{rps:,.0f}", "1.00" if ratio is None else f"{ratio:.2f}"]
            else:
                cells += ["–", "–"]
        target = page_targets.get(name)
        verdict = "reference (mean of its runs)"
        if target is not None and "new" in r:
            verdict = "ok" if r["new"][1] >= target else "**under target**"
        if "new" in r and r["new"][2]:
            verdict = f"**{r['new'][2]} errors**"
        path = re.sub(r"^/fr/fournisseurs/.*", "/fr/fournisseurs/{first provider}", r["path"])
        lines.append(f"| {engine} | {page_names[name]} | `{path}` | {cells[0]} | {cells[1]} | {cells[2]} | {cells[3]} | "
                     f"{'≥ ' + format(target, '.2f') if target else '–'} | {verdict} |")
    lines.append("<!-- search-pages:end -->")
    return "\n".join(lines)


def block(doc, name):
    match = re.search(rf"<!-- {name}:begin -->.*?<!-- {name}:end -->", doc, re.S)
    return match.group(0) if match else None


doc = open(doc_path).read() if os.path.exists(doc_path) else \
    "# Benchmarks\n\nFigures written by the scripts in `tests/benchmarks/`. Each section says when and on which machine it was measured.\n"
old_section = block(doc, "search") or ""
engines = engines_block() if "engines" in parts else block(old_section, "search-engines") or \
    "<!-- search-engines:begin -->\n(not run yet)\n<!-- search-engines:end -->"
pages = pages_block() if "pages" in parts else block(old_section, "search-pages") or \
    "<!-- search-pages:begin -->\n(not run yet)\n<!-- search-pages:end -->"
history = block(old_section, "search-history") or "<!-- search-history:begin -->\n<!-- search-history:end -->"
section = "\n".join(["<!-- search:begin -->", "## Search (issue 13)", "",
                     "Written by `bash tests/benchmarks/search.sh`: each part keeps its figures until it runs again.", "",
                     engines, "", pages, "", history, "<!-- search:end -->"])
pattern = re.compile(r"<!-- search:begin -->.*?<!-- search:end -->", re.S)
doc = pattern.sub(lambda _: section, doc) if pattern.search(doc) else doc.rstrip("\n") + "\n\n" + section + "\n"
open(doc_path, "w").write(doc)
