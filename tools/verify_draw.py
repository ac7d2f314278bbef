#!/usr/bin/env python3
"""Re-compute a Huoli lottery draw from its public audit file and say whether it is fair.

    python3 tools/verify_draw.py audit.json      (download it from /lotteries/<id>/audit.json)

Standard library only, so anyone can run it without installing Huoli. It checks that
1. sha256(server_seed) equals the seed_commitment published when the lottery was created,
2. entries_digest is the sha256 of the published tickets, and
3. running the huoli-draw-v1 algorithm gives exactly the published winners, in order.
Exit status 0 when everything matches, 1 when something differs, 2 on unreadable input.
"""

import hashlib
import json
import sys

ALGORITHM = "huoli-draw-v1"
TWO_64 = 1 << 64


def entries_digest(entries):
    return hashlib.sha256("\n".join(entries).encode("utf-8")).hexdigest()


def draw_seed(server_seed: bytes, digest_hex: str, public_salt: str) -> bytes:
    return hashlib.sha256(server_seed + b"|" + digest_hex.encode("ascii") + b"|" + public_salt.encode("utf-8")).digest()


class ByteStream:
    """Block c is SHA-256(draw_seed + c as 8 bytes big-endian), read as 8-byte big-endian ints."""

    def __init__(self, seed: bytes):
        self.seed = seed
        self.counter = 0
        self.buffer = b""

    def next_u64(self) -> int:
        while len(self.buffer) < 8:
            self.buffer += hashlib.sha256(self.seed + self.counter.to_bytes(8, "big")).digest()
            self.counter += 1
        value, self.buffer = int.from_bytes(self.buffer[:8], "big"), self.buffer[8:]
        return value

    def uniform(self, m: int) -> int:
        limit = TWO_64 - (TWO_64 % m)
        while True:
            x = self.next_u64()
            if x < limit:
                return x % m


def draw(server_seed: bytes, entries, public_salt: str, winners_count: int):
    stream = ByteStream(draw_seed(server_seed, entries_digest(entries), public_salt))
    a = list(entries)
    n = len(a)
    for k in range(min(winners_count, n)):
        j = k + stream.uniform(n - k)
        a[k], a[j] = a[j], a[k]
    return a[: min(winners_count, n)]


def verify(audit: dict):
    """Return a list of problems; empty when the draw checks out."""
    problems = []
    if audit.get("algorithm") != ALGORITHM:
        return [f"unknown algorithm {audit.get('algorithm')!r}; this tool checks {ALGORITHM}"]
    if audit.get("server_seed") is None:
        return ["the lottery has not been drawn yet (server_seed is still secret)"]
    try:
        seed = bytes.fromhex(audit["server_seed"])
    except ValueError:
        return ["server_seed is not hex"]
    if hashlib.sha256(seed).hexdigest() != audit.get("seed_commitment"):
        problems.append("sha256(server_seed) does not match the published seed_commitment")
    entries = audit.get("entries") or []
    digest = entries_digest(entries)
    if digest != audit.get("entries_digest"):
        problems.append(f"entries_digest differs: published {audit.get('entries_digest')}, computed {digest}")
    numbers = [e.split(":", 1)[0] for e in entries]
    if numbers != [str(i) for i in range(1, len(entries) + 1)]:
        problems.append("entries are not numbered 1, 2, 3 ... in order")
    expected = draw(seed, entries, audit.get("public_salt") or "", int(audit.get("winners_count", 0)))
    if expected != audit.get("winners"):
        problems.append(f"winners differ: published {audit.get('winners')}, computed {expected}")
    return problems


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    try:
        with open(argv[1], encoding="utf-8") as fh:
            audit = json.load(fh)
    except (OSError, ValueError) as exc:
        print(f"cannot read {argv[1]}: {exc}", file=sys.stderr)
        return 2
    problems = verify(audit)
    if problems:
        for p in problems:
            print("DIFFERS:", p)
        return 1
    print(f"OK: {len(audit['winners'])} winner(s) from {len(audit['entries'])} entries re-computed with {ALGORITHM}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
