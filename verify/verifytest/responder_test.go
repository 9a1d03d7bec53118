package verifytest_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dcvkit/dcv/verify/verifytest"
)

const fileauth = "/.well-known/pki-validation/fileauth.txt"

// noRedirects is an HTTP client that reports redirects instead of following.
func noRedirects(timeout time.Duration) *http.Client {
	return &http.Client{
		Timeout:       timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

func get(t *testing.T, c *http.Client, url string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, string(b)
}

func TestResponderRoutes(t *testing.T) {
	r := verifytest.NewResponder()
	ts := httptest.NewServer(r)
	defer ts.Close()
	c := noRedirects(5 * time.Second)

	resp, _ := get(t, c, ts.URL+fileauth)
	assert.Equal(t, http.StatusNotFound, resp.StatusCode, "unknown path")

	r.Set(fileauth, "token-value\n")
	resp, body := get(t, c, ts.URL+fileauth+"?ignored=1")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "token-value\n", body)
	assert.Equal(t, "text/plain; charset=utf-8", resp.Header.Get("Content-Type"))
	assert.Equal(t, int64(len("token-value\n")), resp.ContentLength)

	r.SetStatus(fileauth, http.StatusInternalServerError)
	resp, body = get(t, c, ts.URL+fileauth)
	assert.Equal(t, http.StatusInternalServerError, resp.StatusCode)
	assert.Contains(t, body, "Internal Server Error")

	r.SetStatus(fileauth, http.StatusOK)
	resp, body = get(t, c, ts.URL+fileauth)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Empty(t, body, "an empty file")

	r.SetRedirect(fileauth, http.StatusMovedPermanently, "https://www.example.com/elsewhere.txt")
	resp, _ = get(t, c, ts.URL+fileauth)
	assert.Equal(t, http.StatusMovedPermanently, resp.StatusCode)
	assert.Equal(t, "https://www.example.com/elsewhere.txt", resp.Header.Get("Location"))

	r.Remove(fileauth)
	resp, _ = get(t, c, ts.URL+fileauth)
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)

	assert.Equal(t, 6, r.Requests(fileauth), "query string ignored, every request counted")
	assert.Equal(t, 0, r.Requests("/other"))
}

func TestResponderRelativeRedirectFollowed(t *testing.T) {
	r := verifytest.NewResponder()
	r.SetRedirect("/a", http.StatusFound, "/b")
	r.Set("/b", "final")
	ts := httptest.NewServer(r)
	defer ts.Close()

	resp, body := get(t, ts.Client(), ts.URL+"/a")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "final", body)
	assert.Equal(t, 1, r.Requests("/a"))
	assert.Equal(t, 1, r.Requests("/b"))
}

func TestResponderHead(t *testing.T) {
	r := verifytest.NewResponder()
	r.Set("/x", "abc")
	ts := httptest.NewServer(r)
	defer ts.Close()
	resp, err := ts.Client().Head(ts.URL + "/x")
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, int64(3), resp.ContentLength)
}

func TestResponderDelay(t *testing.T) {
	r := verifytest.NewResponder()
	r.Set(fileauth, "v")
	r.SetDelay(time.Hour)
	ts := httptest.NewServer(r)
	defer ts.Close()

	_, err := noRedirects(100 * time.Millisecond).Get(ts.URL + fileauth)
	require.Error(t, err, "headers never arrive in time")
	assert.Equal(t, 1, r.Requests(fileauth))

	r.SetDelay(0)
	resp, body := get(t, noRedirects(5*time.Second), ts.URL+fileauth)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "v", body)
}

func TestResponderSlowBody(t *testing.T) {
	r := verifytest.NewResponder()
	r.SetSlowBody("/fast-enough", "drip", time.Millisecond)
	r.SetSlowBody("/too-slow", strings.Repeat("x", 100), 50*time.Millisecond) // 5 s in all
	ts := httptest.NewServer(r)
	defer ts.Close()

	resp, body := get(t, noRedirects(5*time.Second), ts.URL+"/fast-enough")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "drip", body)

	// Headers arrive at once; the body does not finish before the deadline.
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, ts.URL+"/too-slow", nil)
	require.NoError(t, err)
	resp, err = ts.Client().Do(req)
	require.NoError(t, err, "headers are not delayed")
	defer resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	b, err := io.ReadAll(resp.Body)
	assert.Error(t, err)
	assert.Less(t, len(b), 100)
	assert.NotEmpty(t, b, "bytes were drip-fed before the deadline")
}

func TestResponderConcurrent(t *testing.T) {
	r := verifytest.NewResponder()
	ts := httptest.NewServer(r)
	defer ts.Close()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.Set("/p", strings.Repeat("v", i+1))
			resp, err := ts.Client().Get(ts.URL + "/p")
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("status %d", resp.StatusCode)
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, 8, r.Requests("/p"))
}
