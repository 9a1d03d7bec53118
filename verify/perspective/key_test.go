package perspective_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dcvkit/dcv/verify/perspective"
)

func TestLoadKey(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
		return p
	}
	key, err := perspective.LoadKey(write("ok", "  \n"+strings.Repeat("k", 32)+"\r\n\t"))
	require.NoError(t, err)
	assert.Equal(t, strings.Repeat("k", 32), string(key))

	_, err = perspective.LoadKey(write("short", strings.Repeat("k", 31)+"\n"))
	assert.ErrorIs(t, err, perspective.ErrWeakKey)
	_, err = perspective.LoadKey(write("blank", "   \n"+strings.Repeat(" ", 40)))
	assert.ErrorIs(t, err, perspective.ErrWeakKey)
	_, err = perspective.LoadKey(write("huge", strings.Repeat("k", 5000)))
	assert.Error(t, err)
	_, err = perspective.LoadKey(filepath.Join(dir, "missing"))
	assert.ErrorIs(t, err, os.ErrNotExist)
	_, err = perspective.LoadKey(dir)
	assert.ErrorContains(t, err, "not a regular file")
}

func TestLoadKeyRefusesFilesOthersCanRead(t *testing.T) {
	p := filepath.Join(t.TempDir(), "key")
	require.NoError(t, os.WriteFile(p, []byte(strings.Repeat("k", 40)), 0o600))
	_, err := perspective.LoadKey(p)
	require.NoError(t, err)
	for _, mode := range []os.FileMode{0o644, 0o640, 0o604, 0o660, 0o602, 0o620} {
		require.NoError(t, os.Chmod(p, mode))
		_, err := perspective.LoadKey(p)
		assert.ErrorIs(t, err, perspective.ErrKeyFileMode, "%04o", mode)
		assert.ErrorContains(t, err, "chmod 600 "+p)
	}
	require.NoError(t, os.Chmod(p, 0o400))
	_, err = perspective.LoadKey(p)
	assert.NoError(t, err, "read-only for its owner is fine")
}
