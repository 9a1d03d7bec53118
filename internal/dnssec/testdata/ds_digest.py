#!/usr/bin/env python3
"""Known-answer DS digests (RFC 4034 §5.1.4, RFC 4509, RFC 6605), computed
with hashlib independently of miekg/dns: digest = H(owner wire || DNSKEY rdata).
Run: python3 ds_digest.py  (prints the DS lines used by TestKeyMatchesKnownDS)."""
import base64, hashlib, struct

owner = "lab.example."
flags, proto, alg = 257, 3, 13
key = "mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ=="

def wire(name):
    out = b""
    for label in name.rstrip(".").split("."):
        out += bytes([len(label)]) + label.lower().encode()
    return out + b"\x00"

rdata = struct.pack("!HBB", flags, proto, alg) + base64.b64decode(key)
# RFC 4034 Appendix B key tag
ac = 0
for i, b in enumerate(rdata):
    ac += b if i & 1 else b << 8
ac += (ac >> 16) & 0xFFFF
tag = ac & 0xFFFF
for dtype, h in ((2, hashlib.sha256), (4, hashlib.sha384)):
    print(f"{owner} IN DS {tag} {alg} {dtype} {h(wire(owner) + rdata).hexdigest().upper()}")
