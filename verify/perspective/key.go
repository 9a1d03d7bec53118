package perspective

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"runtime"
)

// LoadKey reads a secret key from a file: the file's text, surrounding
// whitespace removed, at least MinKeyLength bytes (ErrWeakKey otherwise).
// On systems with Unix permissions the file must not be accessible by
// group or others (ErrKeyFileMode: chmod 600 it). Generate a key with,
// for example, `openssl rand -base64 48`.
func LoadKey(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("perspective: key file: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	switch {
	case err != nil:
		return nil, fmt.Errorf("perspective: key file: %w", err)
	case !fi.Mode().IsRegular():
		return nil, fmt.Errorf("perspective: key file %s is not a regular file", path)
	case runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0:
		return nil, fmt.Errorf("%w: %s has mode %04o; make it private with: chmod 600 %s", ErrKeyFileMode, path, fi.Mode().Perm(), path)
	}
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
