"""huoli-draw-v1: the lottery draw that anyone can re-compute from published data.

This is Huoli's own implementation, written apart from tools/verify_draw.py (the stand-alone
verifier) so that each checks the other. The steps, exactly as published on every lottery page:

1. server_seed: 32 random bytes from `secrets` at creation; seed_commitment = hex SHA-256 of them.
2. public_salt: a UTF-8 string the moderator promised in words at creation and enters at the draw.
3. tickets "<number>:<username>" numbered 1, 2, 3 ... in acceptance order; entries_digest = hex
   SHA-256 of the tickets joined with "\\n" (UTF-8, no trailing newline).
4. draw_seed = SHA-256(server_seed + b"|" + entries_digest (ASCII) + b"|" + public_salt (UTF-8)).
5. byte stream: SHA-256(draw_seed + c as 8 bytes big-endian) for c = 0, 1, 2 ..., read as
   consecutive 8-byte big-endian unsigned integers.
6. uniform(m): limit = 2^64 - (2^64 mod m); read integers until x < limit; return x mod m.
7. partial Fisher-Yates: for k in 0 .. min(w, n) - 1: j = k + uniform(n - k); swap a[k], a[j].
   The winners, in order, are a[0 .. min(w, n) - 1].
"""

import hashlib
import hmac
import secrets
import struct

ALGORITHM = "huoli-draw-v1"
SEED_BYTES = 32
_SPACE = 1 << 64


def new_server_seed():
    """(seed bytes, commitment hex) for a new lottery."""
    seed = secrets.token_bytes(SEED_BYTES)
    return seed, commitment(seed)


def commitment(server_seed: bytes) -> str:
    return hashlib.sha256(server_seed).hexdigest()


def ticket(number: int, username: str) -> str:
    return f"{int(number)}:{username}"


def digest_of(tickets) -> str:
    """Hex SHA-256 of the tickets joined with "\\n" (UTF-8, no trailing newline). One join and one
    hash call: far faster than feeding a million small updates."""
    return hashlib.sha256("\n".join(tickets).encode("utf-8")).hexdigest()


def seed_for_draw(server_seed: bytes, entries_digest: str, public_salt: str) -> bytes:
    material = b"|".join([server_seed, entries_digest.encode("ascii"), (public_salt or "").encode("utf-8")])
    return hashlib.sha256(material).digest()


def _integers(draw_seed: bytes):
    """The endless stream of 64-bit integers (four per SHA-256 block)."""
    block = 0
    while True:
        yield from struct.unpack(">4Q", hashlib.sha256(draw_seed + block.to_bytes(8, "big")).digest())
        block += 1


def _uniform(stream, m: int) -> int:
    limit = _SPACE - _SPACE % m
    for x in stream:
        if x < limit:
            return x % m
    raise AssertionError("unreachable: the stream never ends")


def winner_positions(n: int, *, draw_seed: bytes, winners_count: int):
    """Step 7 on positions: the 0-based indices into `entries` of the winners, in order. The swaps
    are kept in a dict, so drawing a few winners among a million entries touches only a few
    positions and never needs the list itself (the service fetches just the winning tickets)."""
    stream = _integers(draw_seed)
    moved = {}
    out = []
    for k in range(min(max(int(winners_count), 0), n)):
        j = k + _uniform(stream, n - k)
        at_k, at_j = moved.get(k, k), moved.get(j, j)
        moved[j] = at_k
        out.append(at_j)  # a[k] takes a[j]'s entry and is never touched again
    return out


def winners_of(tickets, *, server_seed: bytes, public_salt: str, winners_count: int, entries_digest=None):
    """The winning tickets, in order. `tickets` must be in ascending number."""
    digest = entries_digest if entries_digest is not None else digest_of(tickets)
    positions = winner_positions(len(tickets), draw_seed=seed_for_draw(server_seed, digest, public_salt),
                                 winners_count=winners_count)
    return [tickets[i] for i in positions]


def verify_audit(audit: dict):
    """Re-compute an audit document (the /lotteries/<id>/audit.json shape). Returns a list of the
    differences found, empty when the draw checks out."""
    problems = []
    if audit.get("algorithm") != ALGORITHM:
        return [f"algorithm is {audit.get('algorithm')!r}, expected {ALGORITHM}"]
    seed_hex = audit.get("server_seed")
    if seed_hex is None:
        return ["not drawn yet: the server seed is still secret"]
    try:
        seed = bytes.fromhex(seed_hex)
    except (TypeError, ValueError):
        return ["server_seed is not hexadecimal"]
    if not hmac.compare_digest(commitment(seed), str(audit.get("seed_commitment") or "")):
        problems.append("sha256(server_seed) differs from the seed_commitment published at creation")
    tickets = list(audit.get("entries") or [])
    expected_numbers = [str(i) for i in range(1, len(tickets) + 1)]
    if [t.split(":", 1)[0] for t in tickets] != expected_numbers:
        problems.append("entries are not numbered 1, 2, 3 ... in ascending order")
    digest = digest_of(tickets)
    if digest != audit.get("entries_digest"):
        problems.append(f"entries_digest differs: published {audit.get('entries_digest')}, computed {digest}")
    computed = winners_of(tickets, server_seed=seed, public_salt=audit.get("public_salt") or "",
                          winners_count=int(audit.get("winners_count") or 0), entries_digest=digest)
    if computed != list(audit.get("winners") or []):
        problems.append(f"winners differ: published {audit.get('winners')}, computed {computed}")
    return problems
