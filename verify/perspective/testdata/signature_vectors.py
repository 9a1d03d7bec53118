#!/usr/bin/env python3
"""Known-answer vectors for the v2 signatures of verify/perspective,
computed with Python's hmac/hashlib (independently of the Go code).
Run: python3 verify/perspective/testdata/signature_vectors.py"""
import hashlib, hmac

key = b"0123456789abcdef0123456789abcdef"
body = b'{"version":2}'
digest = hashlib.sha256(body).hexdigest()
req = b"dcv-perspective/v2 request\n" + b"".join(
    f + b"\n" for f in [b"POST", b"/v2/check", b"https://mpic-eu.example.net", b"1700000000",
                        b"nonce-nonce-nonce-0", digest.encode()])
resp = b"dcv-perspective/v2 response\n" + b"".join(
    f + b"\n" for f in [b"200", b"https://mpic-eu.example.net", b"nonce-nonce-nonce-0", b"1700000001", digest.encode()])
print("digest  ", digest)
print("request ", hmac.new(key, req, hashlib.sha256).hexdigest())
print("response", hmac.new(key, resp, hashlib.sha256).hexdigest())
