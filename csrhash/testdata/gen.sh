#!/bin/sh
# Regenerates the test CSRs, the refusal inputs and vectors.json. The expected
# hashes come from openssl, md5sum and sha256sum, never from the code under test.
# Keys are throwaway and generated fresh; rerunning changes every vector.
set -eu
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# RSA-2048, CN plus several DNS SANs: a duplicate of the CN, the apex, a
# wildcard, an IDN in A-label form, and upper case (normalized to lower case).
openssl req -new -newkey rsa:2048 -nodes -keyout "$tmp/rsa.key" -sha256 \
  -subj "/C=DE/O=Example GmbH/CN=www.example.com" \
  -addext "subjectAltName=DNS:www.example.com,DNS:example.com,DNS:*.example.com,DNS:xn--mnchen-3ya.de,DNS:Shop.Example.org,DNS:mail.example.com,DNS:api.example.com,DNS:static.example.com,DNS:autodiscover.example.com,DNS:vpn.example.com,DNS:www.example.org,DNS:example.org,DNS:EXAMPLE.COM" \
  -out rsa-san.csr 2>/dev/null

# ECDSA P-256 with a CN that is not a domain and an IP SAN (both skipped).
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$tmp/ec.key" -sha256 \
  -subj "/O=Example/CN=My Company" \
  -addext "subjectAltName=DNS:api.example.net,IP:192.0.2.7" \
  -out ec-p256.csr 2>/dev/null

# Ed25519, CN only, with a Unicode CN (normalized to its A-label).
openssl req -new -newkey ed25519 -nodes -keyout "$tmp/ed.key" -utf8 \
  -subj "/CN=bücher.example.com" -out ed25519.csr 2>/dev/null

# Variants of rsa-san.csr that must all give its hashes.
openssl req -in rsa-san.csr -outform DER -out rsa-san.der
sed 's/CERTIFICATE REQUEST/NEW CERTIFICATE REQUEST/' rsa-san.csr > rsa-san-new-header.csr
sed 's/$/\r/' rsa-san.csr > rsa-san-crlf.csr
{ printf 'Here is the CSR for www.example.com, as the portal asked:\n\n'
  cat rsa-san.csr
  printf '\nThanks,\nOps\n'; } > rsa-san-text-around.csr

# Refusal inputs: a self-signed certificate (PEM and DER), its private key and
# public key, all from a throwaway key.
openssl req -x509 -newkey rsa:2048 -nodes -keyout refuse-private-key.pem -days 1 \
  -subj "/CN=www.example.com" -out refuse-cert.pem 2>/dev/null
openssl x509 -in refuse-cert.pem -outform DER -out refuse-cert.der
openssl pkey -in refuse-private-key.pem -pubout -out refuse-public-key.pem

# vectors.json: hashes over the DER bytes, from openssl/md5sum/sha256sum.
entry() { # file der-source
  der="$tmp/x.der"
  openssl req -in "$2" -outform DER -out "$der"
  md5=$(md5sum < "$der" | cut -d' ' -f1 | tr a-f A-F)
  sha=$(sha256sum < "$der" | cut -d' ' -f1)
  len=$(wc -c < "$der" | tr -d ' ')
  printf '  {"file": "%s", "der_len": %s, "md5": "%s", "sha256": "%s"}' "$1" "$len" "$md5" "$sha"
}
{
  echo '['
  entry sample-616.csr sample-616.csr; echo ','
  for f in rsa-san.csr rsa-san-new-header.csr rsa-san-crlf.csr rsa-san-text-around.csr; do
    entry "$f" rsa-san.csr; echo ','
  done
  # The DER file is hashed as it is on disk.
  md5=$(md5sum < rsa-san.der | cut -d' ' -f1 | tr a-f A-F)
  sha=$(sha256sum < rsa-san.der | cut -d' ' -f1)
  printf '  {"file": "rsa-san.der", "der_len": %s, "md5": "%s", "sha256": "%s"},\n' "$(wc -c < rsa-san.der | tr -d ' ')" "$md5" "$sha"
  entry ec-p256.csr ec-p256.csr; echo ','
  entry ed25519.csr ed25519.csr; echo
  echo ']'
} > vectors.json
