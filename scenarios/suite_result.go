package scenarios

import (
	"cmp"
	"fmt"
	"strings"
	"time"

	"github.com/firedrill/firedrill/alerting"
	"github.com/firedrill/firedrill/config"
	"github.com/firedrill/firedrill/incident"
	"github.com/firedrill/firedrill/reports"
	"github.com/firedrill/firedrill/scorer"
	"github.com/firedrill/firedrill/stack"
)

func (s *Suite) record(d reports.Drill) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.drills = append(s.drills, d)
}

// Result is the run so far, for the reports.
func (s *Suite) Result() reports.Result {
	s.mu.Lock()
	defer s.mu.Unlock()
	drills := append([]reports.Drill(nil), s.drills...)
	mon := s.opts.Config.Monitoring
	labels := map[string]string{}
	for label, sev := range mon.Severities() {
		labels[label] = sev.String()
	}
	return reports.Result{
		Schema:   reports.SchemaVersion,
		RunID:    s.runID,
		Started:  s.started,
		Finished: time.Now(),
		Environment: reports.Environment{
			Provider: s.provider,
			Clock:    s.opts.Clock,
			Tick:     s.opts.Config.Monitoring.Interval.D(),
		},
		Targets:        s.targets,
		SeverityLabels: labels,
		Routing:        cmp.Or(mon.AlertmanagerConfig, alerting.DefaultConfigName),
		Drills:         drills,
	}
}

// EnvironmentError is the first stack error of the run, if any: the CLI
// maps it to its environment exit code.
func (s *Suite) EnvironmentError() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.consoleErr != nil {
		return s.consoleErr
	}
	if s.goneErr != nil {
		return s.goneErr
	}
	for _, d := range s.drills {
		if d.Error != "" && strings.Contains(d.Error, stack.ErrUnavailable.Error()) {
			return fmt.Errorf("%w: %s", stack.ErrUnavailable, d.Error)
		}
	}
	return nil
}

// targetsOf are the scoring targets of the configuration.
func targetsOf(c config.Config) scorer.Targets {
	t := scorer.DefaultTargets()
	if c.Targets.MTTD > 0 {
		t.MTTD = c.Targets.MTTD.D()
	}
	if c.Targets.MTTA > 0 {
		t.MTTA = c.Targets.MTTA.D()
	}
	if c.Targets.MTTR > 0 {
		t.MTTR = c.Targets.MTTR.D()
	}
	for _, o := range []struct {
		v   config.Duration
		dst *time.Duration
	}{
		{c.Targets.Drill.Alert, &t.Drill.Alert}, {c.Targets.Drill.Ack, &t.Drill.Ack},
		{c.Targets.Drill.Diagnosis, &t.Drill.Diagnosis}, {c.Targets.Drill.Mitigation, &t.Drill.Mitigation},
		{c.Targets.Drill.Restored, &t.Drill.Restored},
		{c.Targets.GameDay.FirstUpdate, &t.GameDay.FirstUpdate}, {c.Targets.GameDay.FirstNotice, &t.GameDay.FirstNotice},
		{c.Targets.GameDay.UpdateEvery, &t.GameDay.UpdateEvery},
	} {
		if o.v > 0 {
			*o.dst = o.v.D()
		}
	}
	// The roles each severity must page: the team's escalation, "all"
	// spelt out.
	e := c.Escalation
	t.GameDay.Roles = scorer.RoleTargets{
		P1: e.Roles(incident.P1, c.Team), P2: e.Roles(incident.P2, c.Team),
		P3: e.Roles(incident.P3, c.Team), P4: e.Roles(incident.P4, c.Team),
	}
	return t
}
