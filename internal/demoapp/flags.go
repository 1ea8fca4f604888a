package demoapp

import (
	"fmt"
	"slices"
	"sync"
)

// Flags are the app's runtime switches, read and set through /admin/flags.
// Faults flip them to misbehave on purpose; playbooks flip them back.
type Flags struct {
	// Features are product feature flags ("new_feature" and so on).
	Features map[string]bool `json:"features"`
	// Maintenance answers every API request with 503.
	Maintenance bool `json:"maintenance"`
	// ReadOnly refuses writes (login records, webhooks) with 503.
	ReadOnly bool `json:"read_only"`
	// Failure makes a share of requests fail with 500: the error-spike fault.
	Failure Failure `json:"failure"`
	// Audit logs every API request as a JSON line (method, path, source,
	// status): the Security Incident's "enable enhanced logging"
	// (AUDIT_MODE=true).
	Audit bool `json:"audit"`
}

// Failure is the app-level failure flag. While Percent > 0 that share of the
// requests to Endpoints (all API endpoints when empty) fail with 500. When
// Feature is set, the failure belongs to that feature: it applies only while
// the feature flag is on, so turning the feature off is the fix.
type Failure struct {
	Percent   int      `json:"percent"`
	Endpoints []string `json:"endpoints,omitempty"`
	Feature   string   `json:"feature,omitempty"`
}

// flagUpdate is a partial update: absent fields keep their value.
type flagUpdate struct {
	Features    map[string]bool `json:"features"`
	Maintenance *bool           `json:"maintenance"`
	ReadOnly    *bool           `json:"read_only"`
	Failure     *Failure        `json:"failure"`
	Audit       *bool           `json:"audit"`
}

type flagStore struct {
	mu    sync.Mutex
	flags Flags
	// n counts requests the failure flag has judged, so the failed share is
	// exact rather than random.
	n uint64
}

func newFlagStore() *flagStore {
	return &flagStore{flags: Flags{Features: map[string]bool{"new_feature": true}}}
}

func (s *flagStore) get() Flags {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.flags
	f.Features = make(map[string]bool, len(s.flags.Features))
	for k, v := range s.flags.Features {
		f.Features[k] = v
	}
	f.Failure.Endpoints = slices.Clone(s.flags.Failure.Endpoints)
	return f
}

func (s *flagStore) update(u flagUpdate) (Flags, error) {
	if u.Failure != nil && (u.Failure.Percent < 0 || u.Failure.Percent > 100) {
		return Flags{}, fmt.Errorf("failure.percent must be from 0 to 100, got %d", u.Failure.Percent)
	}
	s.mu.Lock()
	for k, v := range u.Features {
		s.flags.Features[k] = v
	}
	if u.Maintenance != nil {
		s.flags.Maintenance = *u.Maintenance
	}
	if u.ReadOnly != nil {
		s.flags.ReadOnly = *u.ReadOnly
	}
	if u.Audit != nil {
		s.flags.Audit = *u.Audit
	}
	if u.Failure != nil {
		s.flags.Failure = *u.Failure
		s.n = 0
	}
	s.mu.Unlock()
	return s.get(), nil
}

// shouldFail says whether this request to endpoint is one the failure flag
// fails. Of every 100 requests it judges, exactly Percent fail.
func (s *flagStore) shouldFail(endpoint string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.flags.Failure
	if f.Percent == 0 {
		return false
	}
	if len(f.Endpoints) > 0 && !slices.Contains(f.Endpoints, endpoint) {
		return false
	}
	if f.Feature != "" && !s.flags.Features[f.Feature] {
		return false
	}
	p := uint64(f.Percent)
	fail := (s.n+1)*p/100 > s.n*p/100
	s.n++
	return fail
}
