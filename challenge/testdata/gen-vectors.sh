#!/usr/bin/env bash
# Regenerates the ACME account-key vectors with openssl only (independent of
# the Go code under test): keys in PEM, and for each the RFC 7638 thumbprint,
# the key authorization for TOKEN and the dns-01 TXT value.
set -euo pipefail
cd "$(dirname "$0")"
TOKEN=evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA
b64u() { base64 -w0 | tr '+/' '-_' | tr -d '='; }
tp() { printf '%s' "$1" | openssl dgst -sha256 -binary | b64u; }
ec_jwk() { # pem crv bytes
  local pt; pt=$(openssl ec -in "$1" -pubout -outform DER 2>/dev/null | tail -c $((2*$3+1)) | xxd -p | tr -d '\n')
  local x=${pt:2:$((2*$3))} y=${pt:$((2+2*$3))}
  printf '{"crv":"%s","kty":"EC","x":"%s","y":"%s"}' "$2" "$(echo "$x" | xxd -r -p | b64u)" "$(echo "$y" | xxd -r -p | b64u)"
}
: > vectors.txt
emit() { # file jwk
  local t ka; t=$(tp "$2"); ka="$TOKEN.$t"
  echo "$1 $t $ka $(printf '%s' "$ka" | openssl dgst -sha256 -binary | b64u)" >> vectors.txt
}
# P-256 with a leading zero byte in x (full-length coordinates matter).
for i in $(seq 1 3000); do
  openssl ecparam -name prime256v1 -genkey -noout -out ec256-lz.pem 2>/dev/null
  x=$(openssl ec -in ec256-lz.pem -pubout -outform DER 2>/dev/null | tail -c 65 | xxd -p | tr -d '\n')
  [ "${x:2:2}" = "00" ] && break
done
emit ec256-lz.pem "$(ec_jwk ec256-lz.pem P-256 32)"
openssl ecparam -name secp384r1 -genkey -noout -out ec384.pem 2>/dev/null
emit ec384.pem "$(ec_jwk ec384.pem P-384 48)"
openssl ecparam -name secp521r1 -genkey -noout -out ec521.pem 2>/dev/null
emit ec521.pem "$(ec_jwk ec521.pem P-521 66)"
openssl genrsa -traditional -out rsa2048.pem 2048 2>/dev/null
n=$(openssl rsa -in rsa2048.pem -noout -modulus | cut -d= -f2 | xxd -r -p | b64u)
emit rsa2048.pem "{\"e\":\"AQAB\",\"kty\":\"RSA\",\"n\":\"$n\"}"
openssl pkcs8 -topk8 -nocrypt -in rsa2048.pem -out rsa2048-pkcs8.pem
emit rsa2048-pkcs8.pem "{\"e\":\"AQAB\",\"kty\":\"RSA\",\"n\":\"$n\"}"
openssl rsa -in rsa2048.pem -pubout -out rsa2048-pub.pem 2>/dev/null
emit rsa2048-pub.pem "{\"e\":\"AQAB\",\"kty\":\"RSA\",\"n\":\"$n\"}"
openssl pkcs8 -topk8 -nocrypt -in ec384.pem -out ec384-pkcs8.pem
emit ec384-pkcs8.pem "$(ec_jwk ec384.pem P-384 48)"
openssl genpkey -algorithm ed25519 -out ed25519.pem
x=$(openssl pkey -in ed25519.pem -pubout -outform DER | tail -c 32 | b64u)
emit ed25519.pem "{\"crv\":\"Ed25519\",\"kty\":\"OKP\",\"x\":\"$x\"}"
openssl pkey -in ed25519.pem -pubout -out ed25519-pub.pem
emit ed25519-pub.pem "{\"crv\":\"Ed25519\",\"kty\":\"OKP\",\"x\":\"$x\"}"
