#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Draws docs/metrics.svg, README's picture of the metrics, from the text of
# `berthctl metrics` on stdin: the panels of contrib/grafana/berth.json as
# one snapshot (GPU holders and use, per-user use against limits, the
# counters).  The picture in the tree was drawn from the output of
# tests/integration/45-metrics.t (METRICS_OUT=FILE keeps it):
#   python3 docs/metrics-svg.py < FILE > docs/metrics.svg
import html, math, re, sys

samples = []
for line in sys.stdin:
    m = re.match(r'^([a-z_]+)(?:\{(.*)\})? (\S+)$', line.strip())
    if m:
        labels = dict(re.findall(r'([a-z_]+)="((?:[^"\\]|\\.)*)"', m.group(2) or ""))
        samples.append((m.group(1), labels, float(m.group(3))))

def get(name, **want):
    return [(l, v) for n, l, v in samples if n == name and all(l.get(k) == x for k, x in want.items())]

def one(name, **want):
    v = get(name, **want)
    return v[0][1] if v else None

W, out = 960, []
def text(x, y, s, size=13, weight="normal", fill="#d8d9da", anchor="start"):
    out.append(f'<text x="{x}" y="{y}" font-size="{size}" font-weight="{weight}" fill="{fill}" text-anchor="{anchor}">{html.escape(str(s))}</text>')
def rect(x, y, w, h, fill, rx=3):
    out.append(f'<rect x="{x}" y="{y}" width="{max(w, 0):.1f}" height="{h}" rx="{rx}" fill="{fill}"/>')
def panel(x, y, w, h, title):
    rect(x, y, w, h, "#181b1f", 4)
    text(x + 12, y + 22, title, 14, "bold")
def bar(x, y, w, frac, fill, label):
    rect(x, y, w, 12, "#2c3235")
    rect(x, y, w * min(max(frac, 0), 1), 12, fill)
    text(x + w + 8, y + 11, label, 12)
def size(b):
    for u in "BKMGT":
        if b < 1024 or u == "T":
            return f"{b:.0f}{u}" if u == "B" else f"{b:.1f}{u}"
        b /= 1024

# stats row
stats = [("daemon up", one("berth_up")), ("queue", one("berth_queue_length")),
         ("GPUs held", sum(v * (one("berth_gpu_fraction", uuid=l["uuid"]) or 0) for l, v in get("berth_gpu_held"))),
         ("reaper warnings", one("berth_reaper_warnings_total")), ("reaper stops", one("berth_reaper_stops_total")),
         ("config generation", one("berth_config_generation"))]
for i, (t, v) in enumerate(stats):
    x = 10 + i * 158
    panel(x, 10, 150, 70, t)
    text(x + 75, 66, "-" if v is None else f"{v:g}" if v != int(v) else int(v), 26, "bold", "#73bf69", "middle")

# GPU holders and use
gpus = [l["uuid"] for l, _ in get("berth_gpu_held")]
h = 50 + 22 * len(gpus)
panel(10, 90, 940, h, "GPUs: holder, utilisation, memory")
holders = {l["uuid"]: l for l, _ in get("berth_gpu_holder_info")}
for i, u in enumerate(gpus):
    y = 130 + 22 * i
    hl = holders.get(u)
    text(22, y + 10, u[:17] + "…", 12, fill="#8e8e8e")
    text(200, y + 10, f'{hl["user"]} · {hl["container"]} ({hl["state"]})' if hl else "free", 12,
         fill="#d8d9da" if hl else "#5a5a5a")
    util = one("berth_gpu_utilization_ratio", uuid=u)
    if util is not None:
        bar(520, y, 150, util, "#f2cc0c" if util > 0.5 else "#73bf69", f"{util * 100:.0f}%")
    used, total = one("berth_gpu_memory_used_bytes", uuid=u), one("berth_gpu_memory_total_bytes", uuid=u)
    if used is not None and total:
        bar(730, y, 110, used / total, "#5794f2", f"{size(used)}/{size(total)}")

# per-user use against limits
users = get("berth_user_gpus")
y0 = 100 + h
uh = 50 + 44 * len(users)
panel(10, y0, 620, uh, "Per user: memory, GPUs and containers against limits")
for i, (l, g) in enumerate(users):
    y = y0 + 40 + 44 * i
    who = dict(user=l["user"], group=l["group"])
    text(22, y + 10, f'{l["user"]} ({l["group"]})', 12)
    mem, mlim = one("berth_user_memory_bytes", **who), one("berth_user_memory_limit_bytes", **who)
    if mem is not None and mlim:
        bar(170, y, 120, 0 if math.isinf(mlim) else mem / mlim, "#5794f2", f"mem {size(mem)}/{size(mlim)}")
    glim = one("berth_user_gpus_limit", **who)
    bar(170, y + 18, 120, 0 if not glim or math.isinf(glim) else g / glim, "#b877d9", f"GPUs {g:g}/{glim:g}")
    c, clim = one("berth_user_containers", **who), one("berth_user_containers_limit", **who)
    bar(430, y + 18, 60, 0 if not clim or math.isinf(clim) else c / clim, "#ff9830", f"containers {c:g}/{clim:g}")
    cpu = one("berth_user_cpu_seconds_total", **who)
    text(430, y + 10, f"CPU {cpu:.2f} s used" if cpu is not None else "CPU -", 12, fill="#8e8e8e")

# reserve latency from the buckets
panel(640, y0, 310, uh, "Reserve latency")
buckets = sorted((float(l["le"]), v) for l, v in get("berth_reserve_duration_seconds_bucket"))
count = one("berth_reserve_duration_seconds_count") or 0
for q, dy in ((0.5, 0), (0.9, 26), (0.99, 52)):
    le = next((b for b, c in buckets if c >= q * count), None) if count else None
    text(660, y0 + 60 + dy, f"p{q * 100:g}", 13, fill="#8e8e8e")
    text(740, y0 + 60 + dy, "-" if le is None else f"≤ {le * 1000:g} ms", 13, "bold", "#73bf69")
text(660, y0 + 60 + 78, f"{count:g} reserves answered", 12, fill="#8e8e8e")

H = y0 + uh + 10
print(f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" '
      f'font-family="Inter, Helvetica, Arial, sans-serif"><rect width="{W}" height="{H}" fill="#111217"/>')
print("\n".join(out))
print("</svg>")
