#!/usr/bin/env bash
# Big-request end-to-end harness (issue 3): one random DAG of NODES nodes (default 10^6, about 57 MB of
# JSON, made by tests/GradApi.Benchmarks' generator), measured in one run against its floor:
#   (a) JsonDocument.Parse of the same bytes in process (the benchmarks console's `parse` mode),
#   (b) POST to tests/GradApi.LoadBaseline's bare endpoint, which only parses the body,
#   (c) POST /v1/evaluate (training) and (d) ?mode=inference, with the shipped defaults,
# each first on a fresh process (cold, COLD times) and then RUNS times more on the last one (warm), with
# the process's peak RSS (VmHWM in /proc/PID/status, reset through /proc/PID/clear_refs before each
# request) and, for evaluate, the stages of its Server-Timing header. Prints a table and the ratios of
# issue 3: evaluate / JsonDocument.Parse (target <= 2), inference / training (< 1), peak RSS / body (<= 3).
# Publishes the service, the baseline and the benchmarks console (Release) and starts them on 127.0.0.1
# at free ports; talks to nothing else. Needs curl and python3.
#
#   tests/load/bigdag.sh                     # 10^6 nodes, 2 cold and 3 warm requests per endpoint
#   NODES=100000 RUNS=5 COLD=1 tests/load/bigdag.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/load/common.sh

NODES=${NODES:-1000000}
RUNS=${RUNS:-3}
COLD=${COLD:-2}
for tool in curl python3; do command -v "$tool" >/dev/null || { echo "$tool is not installed"; exit 1; }; done

work=$(mktemp -d)
pid=""
cleanup() {
  stop "$pid"
  rm -rf "$work"
}
trap cleanup EXIT

echo "== publish (Release)"
dotnet publish src/GradApi -c Release -o "$work/app" --nologo -v q >/dev/null
dotnet publish tests/GradApi.LoadBaseline -c Release -o "$work/baseline" --nologo -v q >/dev/null
dotnet publish tests/GradApi.Benchmarks -c Release -o "$work/bench" --nologo -v q >/dev/null

echo "== generate a random DAG of $NODES nodes"
dotnet "$work/bench/GradApi.Benchmarks.dll" gen "$NODES" "$work/dag.json"
body_bytes=$(stat -c %s "$work/dag.json")
limit=$(( (body_bytes / 1048576 + 64) * 1048576 ))
raised=()
if [ "$body_bytes" -gt $((64 * 1048576)) ]; then
  raised+=(--GradApi:MaxBodyBytes="$limit" --GradApi:WorkBudgetBytes="$limit")
fi
[ "$NODES" -gt 1000000 ] && raised+=(--GradApi:MaxNodes="$NODES")
echo "settings raised past the shipped defaults: ${raised[*]:-none}"

echo "== (a) JsonDocument.Parse in process, $((RUNS + 1)) runs (the first cold)"
dotnet "$work/bench/GradApi.Benchmarks.dll" parse "$work/dag.json" $((RUNS + 1)) | tee "$work/parse.txt"


# start KIND: a fresh process of the service (app) or of the baseline; sets pid and url.
start() {
  local port
  port=$(free_port)
  if [ "$1" = app ]; then
    # The shipped defaults (README "Limits and security"), raised only where this body needs it: the
    # body limit, the node count and the work budget (sized from the memory) when the body is past them.
    (cd "$work/app" && ASPNETCORE_ENVIRONMENT=Production exec dotnet GradApi.dll --urls "http://127.0.0.1:$port" \
       "${raised[@]}" >>"$work/app.log" 2>&1) &
    pid=$!
    url="http://127.0.0.1:$port/healthz"
  else
    # Kestrel's own body limit (30 MB by default) is the baseline's only limit.
    (cd "$work/baseline" && ASPNETCORE_ENVIRONMENT=Production exec dotnet GradApi.LoadBaseline.dll \
       --urls "http://127.0.0.1:$port" --Logging:LogLevel:Default=Warning \
       --Kestrel:Limits:MaxRequestBodySize="$limit" >>"$work/baseline.log" 2>&1) &
    pid=$!
    url="http://127.0.0.1:$port/parse"
  fi
  for _ in $(seq 150); do
    if [ "$1" = app ]; then curl -fs "$url" >/dev/null 2>&1 && break
    else curl -fs "$url" -H 'Content-Type: application/json' -d '{"nodes": []}' >/dev/null 2>&1 && break; fi
    kill -0 "$pid" 2>/dev/null || { cat "$work/$1.log"; echo "the $1 process exited"; exit 1; }
    sleep 0.2
  done
  [ "$1" = app ] && url="http://127.0.0.1:$port/v1/evaluate"
  return 0
}

kb() { awk -v key="$1:" '$1 == key {print $2}' "/proc/$pid/status"; }

# From curl's -v --trace-time log: seconds until the body was sent and until the answer's first line
# came (curl 7.88's %{time_starttransfer} counts from the upload's start, not the answer's), and the
# Server-Timing header.
cat >"$work/trace.py" <<'PY'
import re, sys
def seconds(line):
    h, m, s = line[:15].split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)
lines = open(sys.argv[1], errors="replace").read().splitlines()
start = seconds(lines[0])
uploaded = first = None
timing = "-"
for line in lines:
    if uploaded is None and "completely uploaded" in line: uploaded = seconds(line)
    if first is None and line[16:].startswith("< HTTP/"): first = seconds(line)
    if line[16:].lower().startswith("< server-timing:"): timing = line[16:].split(":", 1)[1].strip()
since = lambda t: "nan" if t is None else f"{(t - start) % 86400:.6f}"
print(since(uploaded), since(first), timing, sep="\t")
PY

# measure NAME PHASE QUERY: one POST of the body; appends a line to results.tsv.
measure() {
  local idle out status total size peak trace
  echo 5 >"/proc/$pid/clear_refs" # VmHWM := VmRSS now
  idle=$(kb VmRSS)
  out=$(curl -sv --trace-time -o /dev/null -H 'Content-Type: application/json' -H 'Expect:' \
          --data-binary @"$work/dag.json" -w '%{http_code} %{time_total} %{size_download}' "$url$3" 2>"$work/trace.txt")
  read -r status total size <<<"$out"
  peak=$(kb VmHWM)
  [ "$status" = 200 ] || { echo "$1: HTTP $status"; tail -5 "$work/app.log" "$work/baseline.log" 2>/dev/null; exit 1; }
  trace=$(python3 "$work/trace.py" "$work/trace.txt") # uploaded, first line, Server-Timing
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$total" "$idle" "$peak" "$trace" >>"$work/results.tsv"
  printf '  %-9s %-4s %7.3f s  answer %9d bytes  peak RSS %5d MiB  %s\n' "$1" "$2" "$total" "$size" $((peak / 1024)) \
    "${trace##*$'\t'}"
}

: >"$work/results.tsv"
for target in baseline:baseline: training:app: "inference:app:?mode=inference"; do
  IFS=: read -r name kind query <<<"$target"
  echo "== ($name) $COLD fresh processes (cold), then $RUNS warm requests"
  for c in $(seq "$COLD"); do
    start "$kind"
    measure "$name" cold "$query"
    if [ "$c" = "$COLD" ]; then
      for _ in $(seq "$RUNS"); do measure "$name" warm "$query"; done
    fi
    stop "$pid"; pid=""
  done
done

echo "== summary: $NODES nodes, $body_bytes bytes of JSON, $(nproc) CPUs, $(lscpu | sed -n 's/^Model name: *//p')"
python3 - "$work/parse.txt" "$work/results.tsv" "$body_bytes" <<'PY'
import statistics, sys
parse_file, results_file, body = sys.argv[1], sys.argv[2], int(sys.argv[3])
parses = [float(line.split()[2]) / 1000 for line in open(parse_file) if line.startswith("parse ")]
rows = {}
for line in open(results_file):
    name, phase, total, idle, peak, uploaded, first, timing = line.rstrip("\n").split("\t")
    rows.setdefault((name, phase), []).append(
        (float(total), float(first), int(idle) * 1024, int(peak) * 1024, timing, float(uploaded)))

def median(values): return statistics.median(values) if values else float("nan")
def seconds(name, phase): return median([r[0] for r in rows.get((name, phase), [])])
def peak(name, phase): return max([r[3] for r in rows.get((name, phase), [])], default=0)
def grown(name, phase): return max([r[3] - r[2] for r in rows.get((name, phase), [])], default=0)

floor = {"cold": parses[0], "warm": median(parses[1:])}
print(f"{'':28}{'cold':>10}{'warm':>10}   (median seconds; peak RSS: the most of any request)")
print(f"{'(a) JsonDocument.Parse':28}{floor['cold']:>10.3f}{floor['warm']:>10.3f}")
for label, name in (("(b) baseline POST /parse", "baseline"), ("(c) evaluate training", "training"),
                    ("(d) evaluate inference", "inference")):
    print(f"{label:28}{seconds(name, 'cold'):>10.3f}{seconds(name, 'warm'):>10.3f}"
          f"   peak RSS {peak(name, 'cold') / 2**20:6.0f} / {peak(name, 'warm') / 2**20:4.0f} MiB"
          f" (+{grown(name, 'cold') / 2**20:.0f} / +{grown(name, 'warm') / 2**20:.0f} during the request)")

print()
print(f"{'ratio':44}{'cold':>8}{'warm':>8}   target")
def ratio(label, f, target):
    print(f"{label:44}{f('cold'):>8.2f}{f('warm'):>8.2f}   {target}")
ratio("training / JsonDocument.Parse", lambda p: seconds("training", p) / floor[p], "<= 2")
ratio("inference / JsonDocument.Parse", lambda p: seconds("inference", p) / floor[p], "<= 1.3")
ratio("training / baseline POST", lambda p: seconds("training", p) / seconds("baseline", p), "")
ratio("inference / training", lambda p: seconds("inference", p) / seconds("training", p), "< 1")
ratio("peak RSS / body, training", lambda p: peak("training", p) / body, "<= 3")
ratio("peak RSS / body, inference", lambda p: peak("inference", p) / body, "<= 3")
ratio("peak RSS / body, baseline", lambda p: peak("baseline", p) / body, "")
ratio("RSS growth in the request / body, training", lambda p: grown("training", p) / body, "")

print()
print("where the time goes, median ms: upload = the client sending the body (curl's clock); read ... backward =")
print("the Server-Timing header (read, the waiting for the body, and parse, done as it arrives, overlap upload);")
print("write = the answer's first line to its last byte (curl's clock); rest = the total less the longer of upload")
print("and read + parse, and all the others: the framework before and after the handler, and writing the answer's")
print("first 64 KiB; gc = the GC pauses within read ... backward")
stages = ["upload", "read", "parse", "compile", "forward", "backward", "write", "rest"]
print(f"{'':16}" + "".join(f"{s:>9}" for s in stages) + f"{'total':>9}{'gc':>9}")
for name in ("baseline", "training", "inference"):
    for phase in ("cold", "warm"):
        runs = rows.get((name, phase), [])
        if not runs: continue
        per = {s: [] for s in stages}
        for total, first, _, _, timing, uploaded in runs:
            metrics = dict((m.split(";dur=")[0], float(m.split(";dur=")[1])) for m in timing.split(", ") if ";dur=" in m)
            metrics["upload"] = uploaded * 1000
            metrics["write"] = (total - first) * 1000
            # The server reads and parses while the client sends: they overlap the upload, the longer counts.
            metrics["rest"] = (total * 1000 - max(metrics["upload"], metrics.get("read", 0) + metrics.get("parse", 0))
                               - sum(metrics.get(s, 0) for s in stages[3:-1]))
            for s in stages + ["gc"]: per.setdefault(s, []).append(metrics.get(s, 0.0))
        print(f"{name + ' ' + phase:16}" + "".join(f"{median(per[s]):>9.0f}" for s in stages)
              + f"{median([r[0] for r in runs]) * 1000:>9.0f}{median(per['gc']):>9.0f}")
PY
