#!/usr/bin/env python3
"""LIST of a large shared tree against LIST of a personal tree of the same size, on one
DocStore, in one run (bench/run-list-bench.sh starts the server). Prints medians in ms."""
import imaplib, ssl, statistics, sys, time

host, port, admin_password, count = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
context = ssl._create_unverified_context()

def connect(user, password):
    c = imaplib.IMAP4_SSL(host, port, ssl_context=context)
    c.login(user, password)
    return c

admin = connect("admin", admin_password)
started = time.monotonic()
for i in range(count):
    typ, _ = admin.create(f"Shared/Projects/P{i // 100:03d}/Case{i:05d}")
    assert typ == "OK"
    typ, _ = admin.create(f"Personal/P{i // 100:03d}/Case{i:05d}")
    assert typ == "OK"
print(f"created {count} shared and {count} personal collections in {time.monotonic() - started:.1f} s", file=sys.stderr)
typ, data = admin._simple_command("SETACL", "Shared/Projects", "anyone", "lr")
assert typ == "OK", data

def timed(client, pattern, expect_at_least):
    samples = []
    for _ in range(7):
        t = time.perf_counter()
        typ, lines = client.list('""', pattern)
        samples.append((time.perf_counter() - t) * 1000)
        assert typ == "OK" and len(lines) >= expect_at_least, (typ, len(lines))
    return statistics.median(samples), len(lines)

reader = connect("reader", "reader-password-1")
shared, shared_n = timed(reader, '"Shared/*"', count)
personal, personal_n = timed(admin, '"Personal/*"', count)
print(f"LIST Shared/* as a user with an inherited 'anyone lr' grant: median {shared:.0f} ms ({shared_n} names)")
print(f"LIST Personal/* as the owner (baseline):                     median {personal:.0f} ms ({personal_n} names)")
print(f"ratio shared/personal: {shared / personal:.2f}")
