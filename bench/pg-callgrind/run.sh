#!/usr/bin/env bash
# Instructions per new-mail APPEND inside PostgreSQL (issue #3): one PostgreSQL 15 backend in
# single-user mode under callgrind files generated mails into a mailbox of 1,000 through file_mail (setup.sql's
# bench_file), one transaction per mail, on a cluster migrated with this repository's
# migrations. Per mail = (Ir of N2 calls - Ir of N1 calls) / (N2 - N1), so start-up, catalogue
# loading and the fixture cancel out. Each run starts from a copy of the same migrated cluster.
#
#   bench/pg-callgrind/run.sh [--runs N1,N2] [--keep DIR] [--wrapper | --own | --call FUNCTION]
#
# --own files through bench_file_own, the server's APPEND statement into an own mailbox named by
# its levels; --call any function of one integer (the mail's number) defined by setup.sql or a
# migration. --wrapper measures bench_read instead (the fixture's reads without the filing), the part of
# bench_file's figure that is not file_mail and its commit. Needs valgrind and PostgreSQL 15's
# server binaries; run as root (it switches to the postgres user) or as postgres.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
bin=${PG_BIN:-/usr/lib/postgresql/15/bin}
runs=100,300
keep=
call=bench_file
while [ $# -gt 0 ]; do
    case $1 in
        --runs) runs=$2; shift 2 ;;
        --keep) keep=$2; shift 2 ;;
        --wrapper) call=bench_read; shift ;;
        --own) call=bench_file_own; shift ;;
        --call) call=$2; shift 2 ;;
        *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
done
IFS=, read -r n1 n2 <<<"$runs"

as_postgres() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

work=${keep:-$(mktemp -d /tmp/pg-callgrind.XXXXXX)}
mkdir -p "$work"
chmod 777 "$work"
cleanup() {
    as_postgres "$bin/pg_ctl" -D "$work/template" -m immediate stop >/dev/null 2>&1 || true
    [ -n "$keep" ] || rm -rf "$work"
}
trap cleanup EXIT

# The migrated cluster: each migration in its own transaction, in order, as MigrationRunner does.
as_postgres "$bin/initdb" -D "$work/template" -U postgres -A trust --no-sync >/dev/null
as_postgres "$bin/pg_ctl" -D "$work/template" -o "-k $work -c listen_addresses='' -c jit=off" -l "$work/setup.log" -w start >/dev/null
for migration in "$repo"/migrations/*.sql; do
    as_postgres psql -h "$work" -U postgres -X -q -v ON_ERROR_STOP=1 -1 -f "$migration" >/dev/null
done
as_postgres psql -h "$work" -U postgres -X -q -v ON_ERROR_STOP=1 -f "$here/setup.sql" >/dev/null
as_postgres psql -h "$work" -U postgres -X -q -c 'VACUUM ANALYZE' -c 'CHECKPOINT' >/dev/null
as_postgres "$bin/pg_ctl" -D "$work/template" -w stop >/dev/null

# One single-user backend per run, on its own copy of the cluster; one line, one transaction.
ir_of() {
    local calls=$1 dir=$work/run-$1
    rm -rf "$dir"
    as_postgres cp -a "$work/template" "$dir"
    seq 1001 $((1000 + calls)) | sed "s/.*/SELECT $call(&);/" >"$work/input-$calls.sql"
    as_postgres valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.out.$calls" \
        "$bin/postgres" --single -D "$dir" -c jit=off -c autovacuum=off postgres \
        <"$work/input-$calls.sql" >"$work/output-$calls.txt" 2>"$work/valgrind-$calls.log"
    if grep -q ERROR "$work/output-$calls.txt"; then
        grep -m3 ERROR "$work/output-$calls.txt" >&2
        exit 1
    fi
    awk '/^(summary|totals):/ { print $2; exit }' "$work/callgrind.out.$calls"
}

ir1=$(ir_of "$n1")
ir2=$(ir_of "$n2")
echo "$call: Ir($n1)=$ir1 Ir($n2)=$ir2 per mail=$(( (ir2 - ir1) / (n2 - n1) ))"
[ -z "$keep" ] || echo "callgrind files in $work (callgrind_annotate --inclusive=yes $work/callgrind.out.$n2)"
