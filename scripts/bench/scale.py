"""Writes the scale-out table: for each number of servers behind haproxy
on one PostgreSQL, the gate API and the rush through the proxy, and the
CPU each process used during each load (per cent of one core; the load
generator is what the machine used beyond the processes named)."""
import json
import os
import sys

out, mode, servers, people, passes, events = sys.argv[1:7]


def load(path, default=None):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return default


def per_s(run):
    return (run.get("requests", 0) - run.get("non2xx", 0)) / run["seconds"] if run.get("seconds") else 0


def cpu(d, load_name, seconds):
    before, after = load(os.path.join(d, f"cpu-{load_name}-before.json"), {}), load(os.path.join(d, f"cpu-{load_name}-after.json"), {})
    used = {k: (after.get(k, 0) - before.get(k, 0)) / seconds * 100 for k in after if k != "machine_busy"}
    busy = (after.get("machine_busy", 0) - before.get("machine_busy", 0)) / seconds * 100
    used["wrk and the rest"] = max(0.0, busy - sum(used.values()))
    used["machine"] = busy
    return used


md = [f"# Campus Pass scale-out ({mode}): N servers on one PostgreSQL behind haproxy", "",
      f"{os.cpu_count()} cores. Data: {int(people):,} people, {int(passes):,} passes, {int(events):,} scan events. "
      "CPU in per cent of one core during each load (100 % = one core busy; the machine has "
      f"{os.cpu_count() * 100} %).", "",
      "| servers | gate API | submissions | CPU during the gate load | CPU during the rush |", "|---|---|---|---|---|"]
table = {}
broken = []
for n in servers.split(","):
    d = os.path.join(out, f"n{n}")
    check, submit = load(os.path.join(d, "check.json"), {}), load(os.path.join(d, "submit.json"), {})
    c_cpu = cpu(d, "check", check.get("seconds") or 1)
    s_cpu = cpu(d, "submit", submit.get("seconds") or 1)
    fmt = lambda u: ", ".join(f"{k} {v:.0f} %" for k, v in u.items())
    md.append(f"| {n} | {per_s(check):,.0f} scans/s, p99 {check.get('p99_ms', 0):.1f} ms | {per_s(submit):,.0f}/s, p99 {submit.get('p99_ms', 0):.0f} ms "
              f"| {fmt(c_cpu)} | {fmt(s_cpu)} |")
    table[n] = {"check": check, "submit": submit, "cpu_check": c_cpu, "cpu_submit": s_cpu}
    for name, run in (("gate API", check), ("submissions", submit)):
        if not run.get("requests") or run.get("non2xx") or run.get("errors"):
            broken.append(f"{n} servers, {name}: {run.get('requests', 0)} requests, {run.get('non2xx', 0)} not 2xx, {run.get('errors', 0)} socket errors")
with open(os.path.join(out, "results.md"), "w") as f:
    f.write("\n".join(md) + "\n")
with open(os.path.join(out, "results.json"), "w") as f:
    json.dump(table, f, indent=2)
print("\n".join(md))
if broken:
    print("\nThe harness did not complete every measure:\n- " + "\n- ".join(broken), file=sys.stderr)
    sys.exit(1)
