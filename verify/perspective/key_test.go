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
}
