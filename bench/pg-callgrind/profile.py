#!/usr/bin/env python3
"""Per-mail inclusive profile: (callgrind_annotate of the N2 run - that of the N1 run) / (N2 - N1).

    bench/pg-callgrind/profile.py DIR [N1 N2] [--top K]

DIR is run.sh's --keep folder. Start-up and catalogue loading cancel as in run.sh's figure.
"""
import re
import subprocess
import sys

args = [a for a in sys.argv[1:] if not a.startswith("--")]
top = int(sys.argv[sys.argv.index("--top") + 1]) if "--top" in sys.argv else 60
if "--top" in sys.argv:
    args.remove(str(top))
folder = args[0]
n1, n2 = (int(args[1]), int(args[2])) if len(args) >= 3 else (100, 300)


def inclusive(calls):
    out = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100",
                          f"{folder}/callgrind.out.{calls}"], capture_output=True, text=True, check=True).stdout
    costs = {}
    for line in out.splitlines():
        m = re.match(r"^\s*([\d,]+)\s+\([^)]*\)\s+(\S.*?)(?:\s+\[[^\]]*\])?$", line)
        if m:
            name = m.group(2).split(":")[-1]
            costs[name] = costs.get(name, 0) + int(m.group(1).replace(",", ""))
    return costs


a, b = inclusive(n1), inclusive(n2)
rows = sorted(((b.get(k, 0) - a.get(k, 0)) / (n2 - n1), k) for k in set(a) | set(b))
for cost, name in reversed(rows[-top:]):
    print(f"{cost:12,.0f}  {name}")
