package perspective

import (
	"bytes"
	"fmt"
	"io"
	"os"
)

// LoadKey reads the shared secret from a file: the file's text, surrounding
// whitespace removed, at least MinKeyLength bytes (ErrWeakKey otherwise).
// Generate one with, for example, `openssl rand -base64 48`.
func LoadKey(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("perspective: key file: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxKeyLength+1))
	if err != nil {
		return nil, fmt.Errorf("perspective: key file %s: %w", path, err)
	}
	if len(data) > maxKeyLength {
		return nil, fmt.Errorf("perspective: key file %s is over %d bytes; it should hold only the key", path, maxKeyLength)
	}
	key := bytes.TrimSpace(data)
	if err := checkKey(key); err != nil {
		return nil, fmt.Errorf("%w in %s; use at least %d random characters", err, path, MinKeyLength)
	}
	return key, nil
}
