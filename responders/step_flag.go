package responders

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

func init() { Register("flag", func() Step { return new(FlagStep) }) }

// FlagStep sets the app's runtime flags through POST /admin/flags: feature
// flags (the playbook's quick fix 7 turns new_feature off), maintenance
// mode (quick fix 4) and read-only mode (the Data Loss procedure). Flags it
// does not name keep their value.
type FlagStep struct {
	Features    map[string]bool `yaml:"features" json:"features,omitempty"`
	Maintenance *bool           `yaml:"maintenance" json:"maintenance,omitempty"`
	ReadOnly    *bool           `yaml:"read_only" json:"read_only,omitempty"`
}

// Validate checks the step sets something.
func (s *FlagStep) Validate() error {
	if len(s.Features) == 0 && s.Maintenance == nil && s.ReadOnly == nil {
		return errors.New("sets nothing: give features, maintenance or read_only")
	}
	return nil
}

// Run posts the update; the app answers with every flag, which is the
// step's output. An unreachable or failing app is retried.
func (s *FlagStep) Run(ctx context.Context, rt *Runtime) (bool, string, error) {
	if rt.Env == nil {
		return false, "", errors.New("set flags: no stack")
	}
	body, err := json.Marshal(s)
	if err != nil {
		return false, "", fmt.Errorf("set flags: %w", err)
	}
	code, out, err := send(ctx, rt, http.MethodPost, rt.Env.AppURL+"/admin/flags", string(body), nil)
	if err != nil {
		return true, "", fmt.Errorf("set flags: %w", err)
	}
	if code != http.StatusOK {
		return code >= 500, out, fmt.Errorf("set flags: app answered %d", code)
	}
	return false, out, nil
}
