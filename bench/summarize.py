#!/usr/bin/env python3
"""Summarizes bench/side-by-side.sh's results.jsonl: medians per row and system, ratios raftkv / peer, the
issue #16 targets, and every JSON line. Runs that failed (rc != 0 or an error), or started at a load average at
or above LOAD_MAX ("loaded"), are listed but left out of the medians (--include-loaded counts the loaded ones, for
smoke tests only: such figures are not to be quoted).

Usage: bench/summarize.py [--include-loaded] results.jsonl..."""
import json
import statistics
import sys

PEERS = ["aeron-cluster", "ratis"]


def load(paths):
    rows = []
    for path in paths:
        with open(path) as f:
            for line in f:
                line = line.strip()
                if line:
                    rows.append(json.loads(line))
    return rows


INCLUDE_LOADED = False


def counted(r):
    return r["rc"] == 0 and (INCLUDE_LOADED or not r["loaded"]) and r["result"].get("error") is None and r["result"].get("msgs_per_s")


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt_rate(v):
    return "-" if v is None else f"{v:,.0f}"


def fmt_us(v):
    if v is None:
        return "-"
    return f"{v / 1000:.2f} ms" if v >= 1000 else f"{v:.0f} us"


def fmt_ratio(v):
    return "-" if v is None else f"{v:.2f}"


def main(paths):
    rows = load(paths)
    if not rows:
        print("no runs")
        return
    configs = []
    for r in rows:
        if r["config"] not in configs:
            configs.append(r["config"])
    systems = ["raftkv"] + [p for p in PEERS if any(r["system"] == p for r in rows)]
    loads = [r["load1"] for r in rows]
    print("# raftkv side by side with the reference peers\n")
    if INCLUDE_LOADED:
        print("**Runs at a load average >= LOAD_MAX are counted (--include-loaded): not for quoting.**\n")
    print(f"* runs: {len(rows)} ({sum(1 for r in rows if counted(r))} counted); 1-minute load average before a run: "
          f"{min(loads):.2f} to {max(loads):.2f}")
    print(f"* first run: `{rows[0]['uptime'].strip()}`")
    print("* medians over the counted runs (min..max of msgs/s); latency columns are the medians of each run's percentile\n")
    stats = {}
    print("| row | system | counted/runs | msgs/s median (min..max) | p50 | p90 | p99 | p99.9 | max | leader changes |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for c in configs:
        for s in systems:
            runs = [r for r in rows if r["config"] == c and r["system"] == s]
            if not runs:
                continue
            ok = [r["result"] for r in runs if counted(r)]
            rates = [x["msgs_per_s"] for x in ok]
            st = {k: med([x.get(k) for x in ok]) for k in ["msgs_per_s", "p50_us", "p90_us", "p99_us", "p999_us", "max_us"]}
            st["leader_changes"] = sum(x.get("leader_changes") or 0 for x in ok) if ok else None
            stats[(c, s)] = st
            span = f" ({min(rates):,.0f}..{max(rates):,.0f})" if rates else ""
            print(f"| {c} | {s} | {len(ok)}/{len(runs)} | {fmt_rate(st['msgs_per_s'])}{span} | {fmt_us(st['p50_us'])} | "
                  f"{fmt_us(st['p90_us'])} | {fmt_us(st['p99_us'])} | {fmt_us(st['p999_us'])} | {fmt_us(st['max_us'])} | "
                  f"{'-' if st['leader_changes'] is None else st['leader_changes']} |")

    def ratio(c, peer, key):
        a, b = stats.get((c, "raftkv"), {}).get(key), stats.get((c, peer), {}).get(key)
        return a / b if a is not None and b else None

    print("\n## Ratios raftkv / peer (same run set)\n")
    print("| row | peer | msgs/s | p50 | p99 | p99.9 |")
    print("|---|---|---|---|---|---|")
    for c in configs:
        for p in systems[1:]:
            if (c, p) in stats:
                print(f"| {c} | {p} | {fmt_ratio(ratio(c, p, 'msgs_per_s'))} | {fmt_ratio(ratio(c, p, 'p50_us'))} | "
                      f"{fmt_ratio(ratio(c, p, 'p99_us'))} | {fmt_ratio(ratio(c, p, 'p999_us'))} |")

    print("\n## Targets of issue #16 (against Aeron Cluster)\n")
    print("| target | value | met |")
    print("|---|---|---|")

    def target(label, value, ok):
        print(f"| {label} | {fmt_ratio(value)} | {'-' if value is None else ('yes' if ok(value) else 'NO')} |")

    for c in ["tp-64-fsync0", "tp-64-fsync1", "tp-1024-fsync0"]:
        target(f"{c}: throughput raftkv / aeron-cluster >= 1.5", ratio(c, "aeron-cluster", "msgs_per_s"), lambda v: v >= 1.5)
    for c in ["lat-10k-fsync0", "lat-10k-fsync1"]:
        for k, n in [("p99_us", "p99"), ("p999_us", "p99.9")]:
            target(f"{c}: {n} raftkv / aeron-cluster <= 1", ratio(c, "aeron-cluster", k), lambda v: v <= 1.0)
    f0 = stats.get(("tp-64-fsync0", "raftkv"), {}).get("msgs_per_s")
    f1 = stats.get(("tp-64-fsync1", "raftkv"), {}).get("msgs_per_s")
    target("raftkv throughput fsync 1 / fsync 0 >= 0.9", f1 / f0 if f0 and f1 else None, lambda v: v >= 0.9)
    changes = sum(r["result"].get("leader_changes") or 0 for r in rows if r["system"] == "raftkv" and counted(r))
    print(f"| raftkv leader changes during measured phases (counted runs) | {changes} | {'yes' if changes == 0 else 'NO'} |")

    print("\n## Every run\n")
    print("```")
    for r in rows:
        flag = "" if counted(r) else "  [not counted: " + ("loaded" if r["loaded"] else f"rc={r['rc']} error={r['result'].get('error')}") + "]"
        print(f"{r['config']} {r['system']} run{r['run']} load1={r['load1']}{flag}: {json.dumps(r['result'], separators=(',', ':'))}")
    print("```")


if __name__ == "__main__":
    args = sys.argv[1:]
    if "--include-loaded" in args:
        INCLUDE_LOADED = True
        args.remove("--include-loaded")
    if not args:
        sys.exit(__doc__)
    main(args)
