#!/usr/bin/env python3
"""Does the address form's answer time tell known addresses from unknown ones?

Starts a release `sesame` (development mode, SQLite in a temporary folder,
register_new_users = false) against a small SMTP sink built in here, on 127.0.0.1 only,
and, from the first request after the start, times N alternating POST /login for known
and unknown addresses (each on a fresh sign-in of the demo app). Prints the medians, a
two-sided Mann-Whitney U test (normal approximation with tie correction), and the
accuracy of a one-sample classifier (a threshold on the answer time), both fitted and
scored on all samples (optimistic) and fitted on one half and scored on the other.

Standard library only. It sends a bounded number of requests (4 per sample) and stops by
itself.

    cargo build --release --bin sesame
    python3 tests/timing/enumeration.py --samples 200
"""

import argparse
import asyncio
import http.cookiejar
import math
import multiprocessing
import os
import re
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

HOST = "127.0.0.1"


# --- a tiny SMTP sink --------------------------------------------------------------------

class Sink:
    """Accepts every message on 127.0.0.1 and counts them, in a process of its own, so
    that its work never competes with the timing client for the interpreter."""

    def __init__(self):
        self._count = multiprocessing.Value("i", 0)
        ports = multiprocessing.Queue()
        self.proc = multiprocessing.Process(target=_sink_main, args=(ports, self._count),
                                            daemon=True)
        self.proc.start()
        self.port = ports.get(timeout=10)

    @property
    def count(self):
        return self._count.value


def _sink_main(ports, count):
    async def serve(reader, writer):
        writer.write(b"220 sink ESMTP\r\n")
        data = False
        while True:
            line = await reader.readline()
            if not line:
                break
            if data:
                if line == b".\r\n":
                    data = False
                    with count.get_lock():
                        count.value += 1
                    writer.write(b"250 OK\r\n")
                continue
            verb = line[:4].upper()
            if verb in (b"EHLO", b"HELO"):
                writer.write(b"250 sink\r\n")
            elif verb == b"DATA":
                data = True
                writer.write(b"354 go on\r\n")
            elif verb == b"QUIT":
                writer.write(b"221 bye\r\n")
                await writer.drain()
                break
            else:
                writer.write(b"250 OK\r\n")
            await writer.drain()
        writer.close()

    async def main():
        server = await asyncio.start_server(serve, HOST, 0)
        ports.put(server.sockets[0].getsockname()[1])
        await server.serve_forever()

    asyncio.run(main())


# --- the server ----------------------------------------------------------------------------

def free_port():
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start_server(binary, workdir, port, smtp_port, known):
    db = os.path.join(workdir, "sesame.db")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SESAME_")}
    base = f"http://{HOST}:{port}"
    env.update({
        "SESAME_LISTEN": f"{HOST}:{port}",
        "SESAME_ISSUER": base,
        "SESAME_DATABASE_URL": f"sqlite://{db}",
        "SESAME_SMTP_URL": f"smtp://{HOST}:{smtp_port}",
        "SESAME_REGISTER_NEW_USERS": "false",
        # Room for every sample: the send limits must not be what answers.
        "SESAME_LIMITS__EMAIL__PER_IDENTIFIER_PER_HOUR": "100000",
        "SESAME_LIMITS__EMAIL__PER_IDENTIFIER_PER_DAY": "100000",
        "SESAME_LIMITS__EMAIL__PER_IP_PER_HOUR": "100000",
        "SESAME_LIMITS__EMAIL__PER_IP_PER_DAY": "100000",
        "SESAME_AUTHORIZE__BURST_PER_IP": "100000",
        "SESAME_AUTHORIZE__PER_IP_PER_MINUTE": "100000",
        "RUST_LOG": "warn",
    })
    subprocess.run([binary, "migrate"], cwd=workdir, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    now = int(time.time())
    with sqlite3.connect(db) as c:
        for i, email in enumerate(known):
            c.execute(
                "INSERT INTO users (id, email, email_verified, created_at, updated_at) "
                "VALUES (?, ?, 1, ?, ?)", (f"timing-user-{i}", email, now, now))
    proc = subprocess.Popen([binary, "serve"], cwd=workdir, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1)
            return proc, base
        except Exception:
            time.sleep(0.05)
    proc.kill()
    sys.exit("sesame did not become ready within 30 s")


# --- a browser ---------------------------------------------------------------------------

class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def browser():
    jar = http.cookiejar.CookieJar()
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect())


def call(opener, url, form=None):
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    try:
        res = opener.open(url, data=data, timeout=30)
    except urllib.error.HTTPError as e:
        res = e
    body = res.read().decode("utf-8", "replace")
    return res.status, res.headers.get("Location"), body


def hidden(html, name):
    m = re.search(rf'name="{name}" value="([^"]*)"', html)
    if not m:
        sys.exit(f"no hidden field {name} in the page")
    return m.group(1)


def fresh_sign_in(base):
    """A new demo sign-in up to its address page: (opener, tx, csrf)."""
    b = browser()
    _, _, home = call(b, base + "/")
    _, auth, _ = call(b, base + "/demo/start", {"csrf": hidden(home, "csrf")})
    _, login, _ = call(b, urllib.parse.urljoin(base, auth))
    _, _, page = call(b, urllib.parse.urljoin(base, login))
    return b, hidden(page, "tx"), hidden(page, "csrf")


def timed_post(base, email):
    b, tx, csrf = fresh_sign_in(base)
    form = urllib.parse.urlencode({"tx": tx, "csrf": csrf, "identifier": email}).encode()
    start = time.perf_counter()
    try:
        res = b.open(base + "/login", data=form, timeout=30)
    except urllib.error.HTTPError as e:
        res = e
    res.read()
    took = time.perf_counter() - start
    if res.status != 303:
        sys.exit(f"POST /login for {email} answered {res.status}, not 303")
    return took * 1000.0


# --- statistics --------------------------------------------------------------------------

def mann_whitney(a, b):
    """Two-sided U test, normal approximation with tie correction: (U, z, p)."""
    pooled = sorted([(v, 0) for v in a] + [(v, 1) for v in b])
    ranks = [0.0] * len(pooled)
    ties = 0.0
    i = 0
    while i < len(pooled):
        j = i
        while j + 1 < len(pooled) and pooled[j + 1][0] == pooled[i][0]:
            j += 1
        for k in range(i, j + 1):
            ranks[k] = (i + j) / 2 + 1
        t = j - i + 1
        ties += t ** 3 - t
        i = j + 1
    n1, n2 = len(a), len(b)
    r1 = sum(r for r, (_, g) in zip(ranks, pooled) if g == 0)
    u = r1 - n1 * (n1 + 1) / 2
    n = n1 + n2
    sigma = math.sqrt(n1 * n2 / 12 * ((n + 1) - ties / (n * (n - 1))))
    z = (u - n1 * n2 / 2) / sigma if sigma else 0.0
    p = math.erfc(abs(z) / math.sqrt(2))
    return u, z, p


def best_threshold(known, unknown):
    """The threshold and direction that classify the most samples right."""
    values = sorted(set(known + unknown))
    best = (0.5, values[0], True)
    for t in values:
        for known_below in (True, False):
            right = sum((v <= t) == known_below for v in known) + \
                sum((v <= t) != known_below for v in unknown)
            acc = right / (len(known) + len(unknown))
            if acc > best[0]:
                best = (acc, t, known_below)
    return best


def score(known, unknown, t, known_below):
    right = sum((v <= t) == known_below for v in known) + \
        sum((v <= t) != known_below for v in unknown)
    return right / (len(known) + len(unknown))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--samples", type=int, default=200, help="samples per class (200..2000)")
    ap.add_argument("--binary", default="target/release/sesame")
    args = ap.parse_args()
    n = max(200, min(args.samples, 2000))
    if not os.path.exists(args.binary):
        sys.exit(f"{args.binary} not found: cargo build --release --bin sesame")
    known = [f"known{i}@timing.example" for i in range(20)]
    unknown = [f"unknown{i}@timing.example" for i in range(20)]
    sink = Sink()
    with tempfile.TemporaryDirectory() as workdir:
        proc, base = start_server(os.path.abspath(args.binary), workdir, free_port(),
                                  sink.port, known)
        try:
            t_known, t_unknown = [], []
            for i in range(n):
                # Alternate which class goes first, so neither always follows the other.
                order = [(t_known, known[i % 20]), (t_unknown, unknown[i % 20])]
                if i % 2:
                    order.reverse()
                for out, email in order:
                    out.append(timed_post(base, email))
            time.sleep(1)
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
    u, z, p = mann_whitney(t_known, t_unknown)
    acc, t, below = best_threshold(t_known, t_unknown)
    half = n // 2
    _, t1, below1 = best_threshold(t_known[:half], t_unknown[:half])
    held_out = score(t_known[half:], t_unknown[half:], t1, below1)
    print(f"samples per class:            {n} (alternating, from the first request after start)")
    print(f"median known / unknown:       {statistics.median(t_known):.3f} ms / "
          f"{statistics.median(t_unknown):.3f} ms")
    print(f"first 10 known / unknown:     {statistics.median(t_known[:10]):.3f} ms / "
          f"{statistics.median(t_unknown[:10]):.3f} ms (medians)")
    print(f"max known / unknown:          {max(t_known):.3f} ms / {max(t_unknown):.3f} ms")
    print(f"Mann-Whitney U:               U = {u:.0f}, z = {z:.2f}, p = {p:.3g}")
    print(f"one-sample classifier:        {acc:.1%} fitted on all samples (optimistic), "
          f"{held_out:.1%} fitted on the first half, scored on the second")
    print(f"messages the sink received:   {sink.count} (one per known-address sample)")


if __name__ == "__main__":
    main()
