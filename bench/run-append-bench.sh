#!/usr/bin/env bash
# APPEND only: DocStore and Dovecot sdbox side by side, as in run-imap-bench.sh (whose setup this
# repeats), alternating the servers per repetition so both see the same machine load. Prints the
# raw results (JSON lines) and their medians; RESULTS.md is edited by hand from them.
#   bench/run-append-bench.sh               # about 2 minutes on 2 cores
# Needs the .NET SDK; installs dovecot-imapd and postgresql when they are missing.
set -euo pipefail

APPEND_ONE=${APPEND_ONE:-500}              # messages per APPEND repetition on 1 connection
APPEND_FOUR=${APPEND_FOUR:-1000}           # messages per APPEND repetition on 4 connections
REPETITIONS=${REPETITIONS:-3}
MAX_SECONDS=${MAX_SECONDS:-30}             # a repetition stops after this long
PASSWORD=bench-password-1

repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/append-bench.XXXXXX)
chmod 755 "$work"                          # the embedded PostgreSQL runs as 'postgres'
results="$work/results.jsonl"
started=$SECONDS
say() { printf '[%4ds] %s\n' $((SECONDS - started)) "$*"; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# --- prerequisites -------------------------------------------------------------------------
if ! command -v dovecot >/dev/null || ! compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then
    apt-get update -qq && apt-get install -y -qq dovecot-imapd postgresql >/dev/null
fi
ulimit -n "$(ulimit -Hn)"                    # 1,000 sockets on each side (20,000 here)

say "building DocStore and the load generator (Release)"
dotnet build -c Release "$repo/src/DocStore.Host" -v q -nologo >"$work/build.log"
dotnet build -c Release "$repo/bench/DocStore.LoadGenerator" -v q -nologo >>"$work/build.log"
docstore_dll="$repo/src/DocStore.Host/bin/Release/net10.0/docstore.dll"
loadgen() { dotnet "$repo/bench/DocStore.LoadGenerator/bin/Release/net10.0/DocStore.LoadGenerator.dll" "$@" --results "$results"; }

# --- Dovecot: one instance, user 'sdbox' (sdbox) and user 'maildir' (Maildir) --------------
dovecot_port=$(free_port)
mkdir -p "$work/dovecot/home/sdbox" "$work/dovecot/home/maildir"
chown -R mail:mail "$work/dovecot/home"
cat >"$work/dovecot/passwd" <<EOF
sdbox:{PLAIN}$PASSWORD:$(id -u mail):$(id -g mail)::$work/dovecot/home/sdbox::
maildir:{PLAIN}$PASSWORD:$(id -u mail):$(id -g mail)::$work/dovecot/home/maildir::userdb_mail=maildir:~/Maildir
EOF
cat >"$work/dovecot/dovecot.conf" <<EOF
base_dir = $work/dovecot/run
state_dir = $work/dovecot/state
log_path = $work/dovecot/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = dovecot
default_login_user = dovenull
first_valid_uid = $(id -u mail)
mail_location = sdbox:~/sdbox
mail_fsync = always
default_process_limit = 2000
default_client_limit = 5000
default_vsz_limit = 1G
passdb {
  driver = passwd-file
  args = scheme=PLAIN $work/dovecot/passwd
}
userdb {
  driver = passwd-file
  args = $work/dovecot/passwd
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $dovecot_port
  }
  inet_listener imaps {
    port = 0
  }
  process_limit = 2000
}
service imap {
  process_limit = 2000
}
protocol imap {
  mail_max_userip_connections = 2000
}
EOF
dovecot_pid=
start_dovecot() {
    dovecot -F -c "$work/dovecot/dovecot.conf" &
    dovecot_pid=$!
    for _ in $(seq 100); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$dovecot_port") 2>/dev/null; then return; fi
        sleep 0.1
    done
    echo "Dovecot did not start; see $work/dovecot/dovecot.log" >&2
    exit 1
}
stop_dovecot() {
    if [ -n "$dovecot_pid" ]; then kill -TERM "$dovecot_pid" 2>/dev/null || true; wait "$dovecot_pid" 2>/dev/null || true; fi
    dovecot_pid=
}

# --- DocStore with its embedded PostgreSQL -------------------------------------------------
docstore_port=$(free_port)
docstore_tls_port=$(free_port)
docstore_http_port=$(free_port)
docstore_pid=
docstore_starts=0
start_docstore() {
    docstore_starts=$((docstore_starts + 1))
    local log="$work/docstore-$docstore_starts.log"
    dotnet "$docstore_dll" serve --data-dir "$work/docstore" --Imap:Port="$docstore_port" \
        --Imap:TlsPort="$docstore_tls_port" --Http:Port="$docstore_http_port" \
        --Admin:InitialPassword="$PASSWORD" >"$log" 2>&1 &
    docstore_pid=$!
    for _ in $(seq 600); do
        if grep -q "DocStore is up" "$log"; then return; fi
        if ! kill -0 "$docstore_pid" 2>/dev/null; then break; fi
        sleep 0.2
    done
    echo "DocStore did not start; see $log" >&2
    exit 1
}
stop_docstore() {
    if [ -n "$docstore_pid" ]; then kill -TERM "$docstore_pid" 2>/dev/null || true; wait "$docstore_pid" 2>/dev/null || true; fi
    docstore_pid=
}

cleanup() {
    stop_docstore
    stop_dovecot
    rm -rf "$work/docstore" "$work/dovecot/home"
}
trap cleanup EXIT

docstore=(--server docstore --port "$docstore_port" --user admin --password "$PASSWORD")
sdbox=(--server dovecot-sdbox --port "$dovecot_port" --user sdbox --password "$PASSWORD")

say "starting DocStore (IMAP $docstore_port) and Dovecot (IMAP $dovecot_port) in $work"
start_docstore
start_dovecot

say "APPEND, alternating servers, $REPETITIONS rounds"
for round in $(seq "$REPETITIONS"); do
    order=(docstore sdbox)
    if [ $((round % 2)) -eq 0 ]; then order=(sdbox docstore); fi
    for server in "${order[@]}"; do
        declare -n target=$server
        loadgen append "${target[@]}" --connections 1 --messages "$APPEND_ONE" --repetitions 1 --mailbox "append-one-$round" --max-seconds "$MAX_SECONDS"
        loadgen append "${target[@]}" --connections 4 --messages "$APPEND_FOUR" --repetitions 1 --mailbox "append-four-$round" --max-seconds "$MAX_SECONDS"
        unset -n target
    done
done
cat "$results"; cp "$results" "${RESULTS_COPY:-/dev/null}"
python3 - "$results" <<'PY'
import json, statistics, sys, collections
rates = collections.defaultdict(list)
for line in open(sys.argv[1]):
    r = json.loads(line)
    rates[(r["Server"], r["Metric"])].append(r["Value"])
for (server, metric), values in sorted(rates.items()):
    print(f"{server:16} {metric:12} median {statistics.median(values):7.0f}  {sorted(values)}")
PY
say "done; logs in $work"
