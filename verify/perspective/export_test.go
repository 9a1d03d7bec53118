package perspective

// Test-only access to the signing and decoding, for tests that build
// requests and responses by hand.

// SignRequest returns the Dcv-Signature of a request whose body has the
// given digest (hex SHA-256), addressed to identity.
func SignRequest(key []byte, method, path, identity, timestamp, nonce string, body []byte) string {
	return formatSignature(requestMAC(key, method, path, identity, timestamp, nonce, bodyDigest(body)))
}

// SignResponse returns the Dcv-Signature of an answer from identity to
// the request that carried nonce.
func SignResponse(key []byte, status int, identity, nonce, timestamp string, body []byte) string {
	return formatSignature(responseMAC(key, status, identity, nonce, timestamp, body))
}

// BodyDigest is the Dcv-Content-Sha256 of body.
func BodyDigest(body []byte) string { return bodyDigest(body) }

// DecodeRequest is the handler's decoding of a request body.
func DecodeRequest(body []byte) (*Request, error) { return decodeRequest(body) }
