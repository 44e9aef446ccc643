#!/usr/bin/env bash
# SEARCH latency, indexing and reindex: DocStore against Dovecot (Maildir) without full-text
# search and with dovecot-fts-xapian, same corpus, same machine, same run. Run as root:
#   bench/run-search-bench.sh              # 20,000 messages
#   N=200000 bench/run-search-bench.sh     # the large run
# Knobs: REPEAT (timed runs per query, 30), MAX_SECONDS (a query stops repeating after this, at
# least three runs, 120), CONNECTIONS (DocStore's APPEND connections, 2), XAPIAN_SECONDS (time
# given to doveadm index, 900), DOVECOT=0 (DocStore only), XAPIAN=0 (no fts-xapian instance),
# DOCSTORE_DATA=dir (DocStore's data folder, kept afterwards; when an earlier run filled it with the
# same N, the APPEND phase is skipped and the run starts from that data: the slow part of the
# 200,000 run, filling, can then be done once, e.g. ahead of a quiet-machine run; ONLY=fill stops
# after filling).
# Writes the raw figures to $work/results.jsonl and a table to bench/search-results.md.
set -euo pipefail

N=${N:-20000}
REPEAT=${REPEAT:-30}
MAX_SECONDS=${MAX_SECONDS:-120}
CONNECTIONS=${CONNECTIONS:-2}
XAPIAN_SECONDS=${XAPIAN_SECONDS:-900}
DOVECOT=${DOVECOT:-1}
XAPIAN=${XAPIAN:-1}
PASSWORD=bench-password-1
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/search-bench.XXXXXX)
chmod 755 "$work"
results="$work/results.jsonl"
started=$SECONDS
say() { printf '[%4ds] %s\n' $((SECONDS - started)) "$*"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

if ! command -v dovecot >/dev/null || ! [ -e /usr/lib/dovecot/modules/lib21_fts_xapian_plugin.so ] || ! compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then
    apt-get update -qq && apt-get install -y -qq dovecot-imapd dovecot-fts-xapian postgresql >/dev/null
fi

say "building (Release)"
dotnet build -c Release "$repo/src/DocStore.Host" -v q -nologo >"$work/build.log"
dotnet build -c Release "$repo/bench/DocStore.SearchBench" -v q -nologo >>"$work/build.log"
docstore_dll="$repo/src/DocStore.Host/bin/Release/net10.0/docstore.dll"
searchbench() { dotnet "$repo/bench/DocStore.SearchBench/bin/Release/net10.0/DocStore.SearchBench.dll" "$@" --count "$N"; }
bench() { searchbench "$@" --results "$results"; }
record() { # server, measurement, value, unit
    echo "{\"server\":\"$1\",\"measurement\":\"$2\",\"value\":$3,\"unit\":\"$4\",\"count\":$N}" >>"$results"
}

# --- Dovecot: two instances, plain Maildir and Maildir + fts-xapian ---------------------------
declare -A dovecot_pid dovecot_port
write_dovecot() { # name, extra config
    local name=$1 dir="$work/$1"
    dovecot_port[$name]=$(free_port)
    mkdir -p "$dir/home"
    chown -R mail:mail "$dir/home"
    echo "bench:{PLAIN}$PASSWORD:$(id -u mail):$(id -g mail)::$dir/home::" >"$dir/passwd"
    cat >"$dir/dovecot.conf" <<CONF
base_dir = $dir/run
state_dir = $dir/state
log_path = $dir/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = dovecot
default_login_user = dovenull
first_valid_uid = $(id -u mail)
mail_location = maildir:~/Maildir
passdb {
  driver = passwd-file
  args = scheme=PLAIN $dir/passwd
}
userdb {
  driver = passwd-file
  args = $dir/passwd
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${dovecot_port[$name]}
  }
  inet_listener imaps {
    port = 0
  }
}
$2
CONF
    dovecot -F -c "$dir/dovecot.conf" &
    dovecot_pid[$name]=$!
    for _ in $(seq 100); do
        if (exec 3<>"/dev/tcp/127.0.0.1/${dovecot_port[$name]}") 2>/dev/null; then return; fi
        sleep 0.1
    done
    echo "Dovecot $name did not start; see $dir/dovecot.log" >&2; exit 1
}

# --- DocStore -------------------------------------------------------------------------------
ds_port=$(free_port); ds_tls=$(free_port); ds_http=$(free_port); ds_pid=
ds_data=${DOCSTORE_DATA:-$work/docstore}
filled_marker="$ds_data/.search-bench-filled-$N"
start_docstore() {
    dotnet "$docstore_dll" serve --data-dir "$ds_data" --Imap:Port="$ds_port" --Imap:TlsPort="$ds_tls" \
        --Http:Port="$ds_http" --Admin:InitialPassword="$PASSWORD" >>"$work/docstore.log" 2>&1 &
    ds_pid=$!
    for _ in $(seq 600); do
        if grep -q "DocStore is up" "$work/docstore.log"; then return; fi
        sleep 0.2
    done
    echo "DocStore did not start; see $work/docstore.log" >&2; exit 1
}
stop_docstore() { if [ -n "$ds_pid" ]; then kill -TERM "$ds_pid" 2>/dev/null || true; wait "$ds_pid" 2>/dev/null || true; fi; ds_pid=; }
cleanup() {
    stop_docstore
    for name in "${!dovecot_pid[@]}"; do kill -TERM "${dovecot_pid[$name]}" 2>/dev/null || true; wait "${dovecot_pid[$name]}" 2>/dev/null || true; done
    if [ -z "${DOCSTORE_DATA:-}" ]; then rm -rf "$work/docstore"; fi
    rm -rf "$work/plain/home" "$work/xapian/home"
}
wait_for_index() { # the index holds all N messages and has no lag (after a start, a format change rebuilds it)
    for _ in $(seq 36000); do
        if curl -sf "http://127.0.0.1:$ds_http/health" | python3 -c "import json,sys; d=json.load(sys.stdin)['checks']['search']['data']; sys.exit(0 if d['documents'] >= $N and d['lag'] == 0 else 1)" 2>/dev/null; then return; fi
        sleep 1
    done
    echo "DocStore's index did not catch up; see $work/docstore.log" >&2; exit 1
}
trap cleanup EXIT

if [ -e "$filled_marker" ]; then
    say "DocStore: $ds_data already holds the $N messages (filled $(cat "$filled_marker")); waiting for the index"
    start_docstore
    wait_for_index
else
    say "DocStore: APPEND $N messages and wait for the index"
    start_docstore
    bench append --label DocStore --port "$ds_port" --user admin --password "$PASSWORD" --health "http://127.0.0.1:$ds_http/health" --connections "$CONNECTIONS"
    date -u +%FT%TZ >"$filled_marker"
fi
if [ "${ONLY:-}" = fill ]; then say "filled $ds_data; stopping here (ONLY=fill)"; exit 0; fi
say "DocStore: SEARCH"
bench search --label DocStore --port "$ds_port" --user admin --password "$PASSWORD" --repeat "$REPEAT" --max-seconds "$MAX_SECONDS"
index_bytes=$(du -sb "$ds_data/index" | cut -f1)
record DocStore "index size" "$(python3 -c "print($index_bytes/1048576)")" MiB
stop_docstore
say "DocStore: full reindex"
t0=$(date +%s.%N)
dotnet "$docstore_dll" reindex --data-dir "$ds_data" >"$work/reindex.log" 2>&1
t1=$(date +%s.%N)
record DocStore "full reindex" "$(python3 -c "print($t1-$t0)")" s
tail -1 "$work/reindex.log"
# The embedded PostgreSQL outlives a CLI verb only while the server runs; nothing to stop here.

# Dovecot gets the same corpus written straight into its Maildir (its APPEND is measured by
# bench/run-imap-bench.sh), then builds its index of the folder before the first SEARCH.
fill_dovecot() { # instance, label
    local maildir="$work/$1/home/Maildir"
    searchbench maildir --dir "$maildir" >/dev/null
    chown -R mail:mail "$work/$1/home"
    local t0 t1
    t0=$(date +%s.%N)
    doveadm -c "$work/$1/dovecot.conf" force-resync -u bench INBOX
    t1=$(date +%s.%N)
    record "$2" "index of the folder (doveadm force-resync)" "$(python3 -c "print($t1-$t0)")" s
}

if [ "$DOVECOT" = 1 ]; then
    say "Dovecot without FTS"
    write_dovecot plain ""
    fill_dovecot plain Dovecot
    bench search --label "Dovecot" --port "${dovecot_port[plain]}" --user bench --password "$PASSWORD" --repeat "$REPEAT" --max-seconds "$MAX_SECONDS"
    kill -TERM "${dovecot_pid[plain]}"; wait "${dovecot_pid[plain]}" 2>/dev/null || true; unset 'dovecot_pid[plain]'
    rm -rf "$work/plain/home"
fi

if [ "$DOVECOT" = 1 ] && [ "$XAPIAN" = 1 ]; then
    say "Dovecot with fts-xapian (doveadm index gets ${XAPIAN_SECONDS} s)"
    write_dovecot xapian "mail_plugins = \$mail_plugins fts fts_xapian
plugin {
  fts = xapian
  fts_xapian = partial=3 full=20 verbose=0
  fts_autoindex = yes
  fts_enforced = yes
}"
    fill_dovecot xapian "Dovecot fts-xapian"
    t0=$(date +%s.%N)
    if timeout "$XAPIAN_SECONDS" doveadm -c "$work/xapian/dovecot.conf" index -u bench INBOX; then
        t1=$(date +%s.%N)
        record "Dovecot fts-xapian" "doveadm index" "$(python3 -c "print($t1-$t0)")" s
        bench search --label "Dovecot fts-xapian" --port "${dovecot_port[xapian]}" --user bench --password "$PASSWORD" --repeat "$REPEAT" --max-seconds "$MAX_SECONDS"
        xapian_bytes=$(du -sb "$work/xapian/home/Maildir" --exclude=cur --exclude=new --exclude=tmp | cut -f1)
        record "Dovecot fts-xapian" "index size (Maildir minus messages)" "$(python3 -c "print($xapian_bytes/1048576)")" MiB
    else
        # fts_enforced makes every SEARCH finish the indexing first: no SEARCH figures then.
        record "Dovecot fts-xapian" "doveadm index unfinished after" "$XAPIAN_SECONDS" s
        say "fts-xapian did not finish indexing in ${XAPIAN_SECONDS} s; its SEARCH is not measured"
    fi
fi

python3 - "$results" "$repo/bench/search-results-$N.md" "$N" <<'PY'
import json, sys, collections
rows = [json.loads(l) for l in open(sys.argv[1])]
servers = ["DocStore", "Dovecot", "Dovecot fts-xapian"]
table = collections.OrderedDict()
for r in rows:
    table.setdefault((r["measurement"], r["unit"]), {})[r["server"]] = r["value"]
def ratio(v, other):
    return f"{v['DocStore'] / v[other]:.2f}" if "DocStore" in v and v.get(other) else "–"
out = [f"| measurement ({sys.argv[3]} messages) | " + " | ".join(servers) + " | DocStore / Dovecot | DocStore / fts-xapian |", "|---|---|---|---|---|---|"]
for (m, unit), v in table.items():
    cells = [f"{v[s]:.1f}" if s in v else "–" for s in servers]
    out.append(f"| {m} ({unit}) | " + " | ".join(cells) + f" | {ratio(v, 'Dovecot')} | {ratio(v, 'Dovecot fts-xapian')} |")
open(sys.argv[2], "w").write("\n".join(out) + "\n")
print("\n".join(out))
PY
say "done: $repo/bench/search-results-$N.md"
