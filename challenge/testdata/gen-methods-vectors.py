#!/usr/bin/env python3
"""Recomputes the tls-alpn-01, dns-account-01 and dns-persist-01 vectors of
spec.md ("More methods") with hashlib/base64 only, independent of the Go code
under test, and writes methods-vectors.txt (one "name value" per line; the value is the rest of the line).
It also checks each result against the value spec.md quotes and exits 1 on
any difference. With openssl on the PATH it cross-checks the digest too."""
import base64, hashlib, os, subprocess, sys

def b64u(b): return base64.urlsafe_b64encode(b).rstrip(b"=").decode()

out, bad = [], []
def emit(name, got, want=None):
    out.append(f"{name} {got}")
    if want is not None and got != want:
        bad.append(f"{name}: got {got}, spec says {want}")

# tls-alpn-01 (RFC 8737): the extension carries SHA-256(key authorization).
ka = "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA.NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
d = hashlib.sha256(ka.encode()).hexdigest()
emit("alpn.key_authorization", ka)
emit("alpn.digest", d, "653471d42925d7eb4cd39a39cda8b34d3034c94cb90067ab78c8123560ba2e5f")
emit("alpn.extn_value", "0420" + d)
# Extension ::= SEQUENCE { OID 1.3.6.1.5.5.7.1.31, BOOLEAN TRUE, OCTET STRING { OCTET STRING(32) } }
oid = bytes([0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x01, 0x1f])
inner = bytes([0x04, 0x20]) + bytes.fromhex(d)
body = oid + bytes([0x01, 0x01, 0xff]) + bytes([0x04, len(inner)]) + inner
emit("alpn.extension_der", (bytes([0x30, len(body)]) + body).hex(),
     "303106082b0601050507011f0101ff04220420" + d)
name = b"example.com"
gn = bytes([0x82, len(name)]) + name          # [2] IMPLICIT IA5String
emit("alpn.san_example.com", (bytes([0x30, len(gn)]) + gn).hex(), "300d820b6578616d706c652e636f6d")
try:
    o = subprocess.run(["openssl", "dgst", "-sha256", "-hex"], input=ka.encode(), capture_output=True, check=True)
    if d not in o.stdout.decode():
        bad.append("openssl disagrees on the tls-alpn-01 digest")
except FileNotFoundError:
    pass

# dns-account-01: "_" + lower(base32(SHA-256(account URL)[0:10])).
def label(url): return base64.b32encode(hashlib.sha256(url.encode()).digest()[:10]).decode().lower()
emit("account.label.example", label("https://example.com/acme/acct/ExampleAccount"), "ujmmovf2vn55tgye")
emit("account.label.localhost", label("http://localhost:4000/acme/acct/1"), "vkbgbqfhr6yv2asd")
emit("account.owner.example.org", "_" + label("https://example.com/acme/acct/ExampleAccount") + "._acme-challenge.example.org",
     "_ujmmovf2vn55tgye._acme-challenge.example.org")
ka2 = "LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0.9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqTI"
emit("account.key_authorization", ka2)
emit("account.txt", b64u(hashlib.sha256(ka2.encode()).digest()), "LPsIwTo7o8BoG0-vjCyGQGBWSVIPxI-i_X336eUOQZo")

# dns-persist-01 draft -02: base64url(SHA-256(len || domain || thumbprint || account URL)).
def persist(domain, tp, acct):
    d = domain.encode()
    return b64u(hashlib.sha256(bytes([len(d)]) + d + tp.encode() + acct.encode()).digest())
tp, acct = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs", "https://ca.example/acct/123"
emit("persist.thumbprint", tp)
emit("persist.account", acct)
h = persist("example.com", tp, acct)
emit("persist.hash.example.com", h, "5SQm7n6tPh2-PlLbCKGnViTXX5z19SCN4cPGQHSk-kw")
emit("persist.hash.star", persist("*", tp, acct), "NpDnSwUthQK8zCgFdefYxAdAVPnygMLbs9US6oO-5ug")
emit("persist.record", "authority.example; accounturi=https://ca.example/account-hash/sha-256/" + h,
     "authority.example; accounturi=https://ca.example/account-hash/sha-256/5SQm7n6tPh2-PlLbCKGnViTXX5z19SCN4cPGQHSk-kw")

# The package examples' outputs (RFC 8037's Ed25519 key, thumbprint below).
ex_tp = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
emit("example.alpn.digest", hashlib.sha256(("evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA." + ex_tp).encode()).hexdigest(),
     "940576f75777ef6c725d5119458f63d8543c8354d8a4e689afadb40a26a178f0")
emit("example.persist.hash", persist("example.com", ex_tp, acct), "LvqVCQTS0d0L8II3jeaDBLZtQ9Xc0NyojUjRxmlbRMk")

if bad:
    print("\n".join(bad), file=sys.stderr)
    sys.exit(1)
here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "methods-vectors.txt"), "w") as f:
    f.write("\n".join(out) + "\n")
