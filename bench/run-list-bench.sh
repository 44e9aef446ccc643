#!/usr/bin/env bash
# LIST of a large Shared/ tree (issue #7): COUNT shared collections under an inherited grant,
# listed by a user who is not their owner, against the owner's LIST of a personal tree of the
# same size, in the same run. Run as root: COUNT=3000 bench/run-list-bench.sh
set -euo pipefail
COUNT=${COUNT:-3000}
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/list-bench.XXXXXX); chmod 755 "$work"
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
imap=$(port); tls=$(port); http=$(port)
dotnet build -c Release "$repo/src/DocStore.Host" -v q -nologo >"$work/build.log"
dll="$repo/src/DocStore.Host/bin/Release/net10.0/docstore.dll"
dotnet "$dll" serve --data-dir "$work/ds" --Imap:Port="$imap" --Imap:TlsPort="$tls" --Http:Port="$http" \
    --Admin:InitialPassword=bench-password-1 >"$work/server.log" 2>&1 &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 300); do grep -q "DocStore is up" "$work/server.log" && break; sleep 0.2; done
echo reader-password-1 | dotnet "$dll" user add reader --data-dir "$work/ds" >/dev/null
echo "machine: $(nproc) cores; $(date -u '+%F %H:%M UTC')"
python3 "$repo/bench/list-bench.py" 127.0.0.1 "$tls" bench-password-1 "$COUNT"
