package monitors

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/config"
)

// A tick's requests carry the drill seconds they stand for, evenly: 20 a
// second over a 15-second tick, whatever the wall clock did.
func TestTrafficStampsDrillTime(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	perSecond := map[int64]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d, err := http.ParseTime(r.Header.Get("Date"))
		if err != nil {
			http.Error(w, "no Date", http.StatusBadRequest)
			return
		}
		mu.Lock()
		perSecond[d.Unix()]++
		mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	g := newTraffic(srv.Client(), srv.URL, config.Traffic{Rate: 20, Requests: []config.Request{{Name: "x", Path: "/", Weight: 1}}}, 4, 16, time.Second)
	end := time.Date(2030, 1, 1, 0, 0, 15, 0, time.UTC)
	require.NoError(t, g.Send(context.Background(), 15*time.Second, end))
	var seconds []int64
	for s, n := range perSecond {
		seconds = append(seconds, s)
		assert.Equal(t, 20, n, "second %d", s)
	}
	sort.Slice(seconds, func(i, j int) bool { return seconds[i] < seconds[j] })
	require.Len(t, seconds, 15)
	assert.Equal(t, end.Add(-15*time.Second).Unix(), seconds[0], "the tick's first second")
	assert.Equal(t, end.Add(-time.Second).Unix(), seconds[14], "its last")
	for _, o := range g.Outcomes() {
		assert.Equal(t, Class2xx, o.Class)
	}
}
