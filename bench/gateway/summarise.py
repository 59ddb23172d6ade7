#!/usr/bin/env python3
"""Summarises bench/gateway/run.sh results (JSON lines) as Markdown tables with ratios."""
import json
import sys

rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
meta = [r for r in rows if r["kind"] == "meta"]
lat = {}
for r in rows:
    if r["kind"] == "latency":
        lat[(r["proxy"], int(r["result"]["rate"]))] = r["result"]
print("# gateway benchmark\n")
for m in meta:
    print("- " + ", ".join(f"{k}: {v}" for k, v in m.items() if k != "kind"))
print("\n## Added latency (proxy minus direct to the mock), open loop, 32 connections\n")
print("| rate/s | proxy | p50 ms | p99 ms | added p50 ms | added p99 ms | errors/non-2xx "
      "| own time p50 / p99 ms |")
print("|---|---|---|---|---|---|---|---|")
for rate in sorted({k[1] for k in lat}):
    d = lat.get(("direct", rate))
    for p in ("direct", "sluis", "nginx", "portkey"):
        r = lat.get((p, rate))
        if not r or not d:
            continue
        own = (f"{r['overhead_p50_ms']:.3f} / {r['overhead_p99_ms']:.3f}"
               if "overhead_p50_ms" in r else "")
        print(f"| {rate} | {p} | {r['p50_ms']:.3f} | {r['p99_ms']:.3f} | "
              f"{r['p50_ms'] - d['p50_ms']:.3f} | {r['p99_ms'] - d['p99_ms']:.3f} | "
              f"{r['errors']}/{r['non2xx']} | {own} |")
print("\n\"own time\": sluis's x-sluis-overhead-ms of every response (policy, scan, proxying; "
      "upstream time excluded), as the gateway measured it.")
for kind, title, unit in (("maxrps", "Maximum non-streaming requests/s (proxy pinned to one core)", "req/s"),
                          ("sse", "SSE events/s (200 events per response, proxy pinned to one core)", "events/s")):
    rs = {r["proxy"]: r for r in rows if r["kind"] == kind}
    if not rs:
        continue
    mult = 202 if kind == "sse" else 1
    print(f"\n## {title}\n")
    print(f"| proxy | {unit} | proxy CPU (cores) | {unit} per core | vs sluis |")
    print("|---|---|---|---|---|")
    def per_core(r):
        return r["rps"] * mult / r["proxy_cpu_cores"] if r["proxy_cpu_cores"] > 0 else 0
    s = rs.get("sluis")
    for p in ("direct", "sluis", "nginx", "portkey"):
        r = rs.get(p)
        if not r:
            continue
        ratio = f"{per_core(r) / per_core(s):.2f}x" if s and per_core(s) else ""
        print(f"| {p} | {r['rps'] * mult:.0f} | {r['proxy_cpu_cores']:.2f} | {per_core(r):.0f} | {ratio} |")
rs = [r for r in rows if r["kind"] == "rss"]
if rs:
    print("\n## RSS with 1,000 concurrent streams\n")
    print("| proxy | RSS idle MB | peak RSS with 1,000 streams MB | streams with a 200 head "
          "| open streams (sluis /metrics) |")
    print("|---|---|---|---|---|")
    for r in rs:
        op = r.get("open_streams", -1)
        print(f"| {r['proxy']} | {r['rss_kb_idle'] / 1024:.1f} | {r['rss_kb_1000_streams'] / 1024:.1f} | "
              f"{r['hold']['got_200']}/{r['hold']['streams']} | {op if op >= 0 else ''} |")

# ---- the goals of issue 5, and sluis against the peers ----
def get(kind, proxy):
    return next((r for r in rows if r["kind"] == kind and r["proxy"] == proxy), None)


def per_core_of(kind, proxy):
    r = get(kind, proxy)
    mult = 202 if kind == "sse" else 1
    return r["rps"] * mult / r["proxy_cpu_cores"] if r and r["proxy_cpu_cores"] > 0 else None


def added(proxy, rate, q):
    r, d = lat.get((proxy, rate)), lat.get(("direct", rate))
    return r[q] - d[q] if r and d else None


def fmt(v, unit="", nd=3):
    return "n/a" if v is None else f"{v:.{nd}f}{unit}"


def ratio(a, b):
    return "n/a" if a is None or b is None or b == 0 else f"{a / b:.2f}x"


print("\n## Goals (issue 5)\n")
print("| figure | sluis | goal | met | nginx | Portkey | sluis/nginx | sluis/Portkey |")
print("|---|---|---|---|---|---|---|---|")
for q, goal in (("p50_ms", 0.2), ("p99_ms", 0.5)):
    s, n, p = added("sluis", 2000, q), added("nginx", 2000, q), added("portkey", 2000, q)
    met = "n/a" if s is None else ("yes" if s <= goal else "no")
    print(f"| added {q[:3]} at 2,000 req/s (ms) | {fmt(s)} | <= {goal} | {met} | {fmt(n)} | {fmt(p)} | "
          f"{ratio(s, n)} | {ratio(s, p)} |")
sl = lat.get(("sluis", 2000))
for q, goal in (("overhead_p50_ms", 0.2), ("overhead_p99_ms", 0.5)):
    v = sl.get(q) if sl else None
    met = "n/a" if v is None else ("yes" if v <= goal else "no")
    print(f"| sluis's own time {q[9:12]} at 2,000 req/s (ms) | {fmt(v)} | <= {goal} | {met} | "
          f"| | | |")
for kind, goal, label in (("maxrps", 10000, "non-streaming req/s per core"),
                          ("sse", 50000, "SSE events/s per core")):
    s, n, p = per_core_of(kind, "sluis"), per_core_of(kind, "nginx"), per_core_of(kind, "portkey")
    met = "n/a" if s is None else ("yes" if s >= goal else "no")
    print(f"| {label} | {fmt(s, nd=0)} | >= {goal:,} | {met} | {fmt(n, nd=0)} | {fmt(p, nd=0)} | "
          f"{ratio(s, n)} | {ratio(s, p)} |")
rss = {r["proxy"]: r["rss_kb_1000_streams"] / 1024 for r in rows if r["kind"] == "rss"}
s, n, p = rss.get("sluis"), rss.get("nginx"), rss.get("portkey")
met = "n/a" if s is None else ("yes" if s < 50 else "no")
print(f"| RSS at 1,000 streams (MB) | {fmt(s, nd=1)} | < 50 | {met} | {fmt(n, nd=1)} | {fmt(p, nd=1)} | "
      f"{ratio(s, n)} | {ratio(s, p)} |")
