"""Writes the run's results.md: each backend's figures side by side (when
the run measured both, PostgreSQL's as a share of SQLite's, measured the
same hour on the same machine), then each backend's own table."""
import json
import os
import sys

out, backends = sys.argv[1], sys.argv[2:]
runs = {}
for b in backends:
    with open(os.path.join(out, b, "results.json")) as f:
        runs[b] = json.load(f)


def per_s(run):
    return (run.get("requests", 0) - run.get("non2xx", 0)) / run["seconds"] if run.get("seconds") else 0


def figures(raw):
    stats = raw.get("statistics", {}).get("views", {})
    return {
        "gate API, scans/s": per_s(raw["check"]),
        "gate API, p99 ms": raw["check"].get("p99_ms", 0),
        "submissions, accepted/s": per_s(raw["submit"]),
        "submissions, p99 ms": raw["submit"].get("p99_ms", 0),
        "gate API during the SMS flood, p99 ms": raw["check_during_flood"].get("p99_ms", 0),
        "approver's inbox, requests/s": per_s(raw.get("inbox", {})),
        "approver's inbox, p99 ms": raw.get("inbox", {}).get("p99_ms", 0),
        "office's scan log, requests/s": per_s(raw.get("scan_log", {})),
        "office's scan log, p99 ms": raw.get("scan_log", {}).get("p99_ms", 0),
        "statistics, slowest year view, ms": max((v for k, v in stats.items() if k.endswith("_year_ms")), default=0),
        "campus generated in, s": raw.get("generate_s", 0),
        "server RSS under the gate load, MB": raw.get("rss_check_kb", 0) / 1024,
    }


figs = {b: figures(r["raw"]) for b, r in runs.items()}
machine = next(iter(runs.values()))["machine"]
md = [f"# Campus Pass benchmarks ({machine['mode']}, {' and '.join(backends)})", "",
      f"{machine['cpu']}, {machine['cores']} cores, {machine['memory']} RAM; {machine['rustc']}.",
      f"Data: {machine['data']['people']:,} people, {machine['data']['passes']:,} passes, {machine['data']['scan_events']:,} scan events, "
      f"generated afresh for each backend. Load generator on the same machine ({machine['load']}).", ""]
head = "| measure | " + " | ".join(backends) + (" | PostgreSQL ÷ SQLite |" if len(backends) == 2 else " |")
md += [head, "|---" * (len(backends) + 1 + (len(backends) == 2)) + "|"]
for name in figs[backends[0]]:
    cells = [f"{figs[b][name]:,.1f}" if "ms" in name or "MB" in name else f"{figs[b][name]:,.0f}" for b in backends]
    row = f"| {name} | " + " | ".join(cells)
    if len(backends) == 2:
        a, c = figs["sqlite"][name], figs["postgres"][name]
        row += f" | {c / a:.2f}" if a else " | n/a"
    md.append(row + " |")
if "postgres" in figs:
    pg = figs["postgres"]
    budgets = [
        ("PostgreSQL gate API ≥ 10,000 scans/s, p99 ≤ 20 ms", pg["gate API, scans/s"] >= 10000 and pg["gate API, p99 ms"] <= 20),
        ("PostgreSQL submissions ≥ 1,500/s, p99 ≤ 50 ms", pg["submissions, accepted/s"] >= 1500 and pg["submissions, p99 ms"] <= 50),
    ]
    if "sqlite" in figs:
        sq = figs["sqlite"]
        budgets += [
            ("PostgreSQL gate API ≥ 0.8 × SQLite's", sq["gate API, scans/s"] > 0 and pg["gate API, scans/s"] >= 0.8 * sq["gate API, scans/s"]),
            ("PostgreSQL submissions ≥ 0.8 × SQLite's", sq["submissions, accepted/s"] > 0 and pg["submissions, accepted/s"] >= 0.8 * sq["submissions, accepted/s"]),
        ]
    md += ["", "| PostgreSQL budget | met |", "|---|---|"] + [f"| {n} | {'yes' if m else '**no**'} |" for n, m in budgets]
for b in backends:
    with open(os.path.join(out, b, "results.md")) as f:
        md += ["", f"## {b}", ""] + f.read().splitlines()[2:]
with open(os.path.join(out, "results.md"), "w") as f:
    f.write("\n".join(md) + "\n")
with open(os.path.join(out, "results.json"), "w") as f:
    json.dump({"machine": machine, "figures": figs}, f, indent=2)
print("\n".join(md))
