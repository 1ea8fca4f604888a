package scorer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/firedrill/firedrill/incident"
)

// JSON encoding. Stored results outlive the Go types, and people read them,
// so every duration is written as {"seconds": 90, "text": "1m30s"} (seconds
// as a float, nanosecond precision for durations under ~100 days) and a
// severity as "P1".."P4" or "unknown". Decoding reads "seconds"; a bare
// string ("5m", "5 minutes") or number of seconds is accepted too, for
// hand-written targets.

// jsonDuration is a time.Duration in the stored form.
type jsonDuration time.Duration

type durationObject struct {
	Seconds float64 `json:"seconds"`
	Text    string  `json:"text"`
}

func (d jsonDuration) MarshalJSON() ([]byte, error) {
	return json.Marshal(durationObject{Seconds: time.Duration(d).Seconds(), Text: readable(time.Duration(d))})
}

func (d *jsonDuration) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		return nil
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return fmt.Errorf("decode duration: %w", err)
		}
		v, err := incident.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("decode duration: %w", err)
		}
		*d = jsonDuration(v)
		return nil
	case len(b) > 0 && b[0] != '{':
		var s float64
		if err := json.Unmarshal(b, &s); err != nil {
			return fmt.Errorf("decode duration: %w", err)
		}
		v, err := seconds(s)
		*d = jsonDuration(v)
		return err
	}
	var o durationObject
	if err := json.Unmarshal(b, &o); err != nil {
		return fmt.Errorf("decode duration: %w", err)
	}
	v, err := seconds(o.Seconds)
	*d = jsonDuration(v)
	return err
}

// seconds reads a stored number of seconds, within ±incident.MaxDuration
// (beyond, it has no time.Duration).
func seconds(s float64) (time.Duration, error) {
	if math.Abs(s) > incident.MaxDuration.Seconds() {
		return 0, fmt.Errorf("decode duration: %g seconds is beyond a year", s)
	}
	return time.Duration(math.Round(s * float64(time.Second))), nil
}

type measurementObject struct {
	Present bool     `json:"present"`
	Seconds *float64 `json:"seconds,omitempty"`
	Text    string   `json:"text"`
}

// MarshalJSON writes {"present": true, "seconds": 90, "text": "1m30s"} or
// {"present": false, "text": "missing"}: a missing value has no seconds, so
// no reader can take it for zero.
func (m Measurement) MarshalJSON() ([]byte, error) {
	o := measurementObject{Present: m.Present, Text: m.String()}
	if m.Present {
		s := m.Value.Seconds()
		o.Seconds = &s
	}
	return json.Marshal(o)
}

// UnmarshalJSON reads what MarshalJSON writes.
func (m *Measurement) UnmarshalJSON(b []byte) error {
	var o measurementObject
	if err := json.Unmarshal(b, &o); err != nil {
		return fmt.Errorf("decode measurement: %w", err)
	}
	*m = Missing()
	if o.Present {
		if o.Seconds == nil {
			return fmt.Errorf("decode measurement: present without seconds")
		}
		d, err := seconds(*o.Seconds)
		if err != nil {
			return fmt.Errorf("decode measurement: %w", err)
		}
		*m = Measured(d)
	}
	return nil
}

type criterionAlias Criterion

type criterionJSON struct {
	criterionAlias
	Target  jsonDuration `json:"target"`
	Excused jsonDuration `json:"excused,omitempty"`
}

// MarshalJSON writes the target (and what was excused) as stored durations.
func (c Criterion) MarshalJSON() ([]byte, error) {
	return json.Marshal(criterionJSON{criterionAlias: criterionAlias(c), Target: jsonDuration(c.Target), Excused: jsonDuration(c.Excused)})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (c *Criterion) UnmarshalJSON(b []byte) error {
	var w criterionJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return fmt.Errorf("decode criterion: %w", err)
	}
	*c = Criterion(w.criterionAlias)
	c.Target, c.Excused = time.Duration(w.Target), time.Duration(w.Excused)
	return nil
}

type verdictAlias Verdict

type verdictJSON struct {
	verdictAlias
	Severity string `json:"severity"`
}

// MarshalJSON writes the severity by name.
func (v Verdict) MarshalJSON() ([]byte, error) {
	return json.Marshal(verdictJSON{verdictAlias: verdictAlias(v), Severity: v.Severity.String()})
}

// UnmarshalJSON reads what MarshalJSON writes; an unknown severity name
// reads as SeverityUnknown.
func (v *Verdict) UnmarshalJSON(b []byte) error {
	var w verdictJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return fmt.Errorf("decode verdict: %w", err)
	}
	*v = Verdict(w.verdictAlias)
	v.Severity, _ = incident.ParseSeverity(w.Severity)
	return nil
}

type targetsJSON struct {
	MTTD     jsonDuration `json:"mttd"`
	MTTA     jsonDuration `json:"mtta"`
	MTTR     jsonDuration `json:"mttr"`
	Response struct {
		P1 jsonDuration `json:"P1"`
		P2 jsonDuration `json:"P2"`
		P3 jsonDuration `json:"P3"`
		P4 jsonDuration `json:"P4"`
	} `json:"response"`
	Drill struct {
		Alert      jsonDuration `json:"alert"`
		Ack        jsonDuration `json:"ack"`
		Diagnosis  jsonDuration `json:"diagnosis"`
		Mitigation jsonDuration `json:"mitigation"`
		Restored   jsonDuration `json:"restored"`
	} `json:"drill"`
	GameDay struct {
		Always bool `json:"always"`
		Roles  struct {
			P1 []string `json:"P1"`
			P2 []string `json:"P2"`
			P3 []string `json:"P3"`
			P4 []string `json:"P4"`
		} `json:"roles"`
		FirstUpdate jsonDuration `json:"first_update"`
		FirstNotice jsonDuration `json:"first_notice"`
		UpdateEvery jsonDuration `json:"update_every"`
	} `json:"gameday"`
	Weights weightsJSON `json:"weights"`
}

type weightsJSON struct {
	MTTD       float64 `json:"mttd"`
	MTTA       float64 `json:"mtta"`
	MTTR       float64 `json:"mttr"`
	Response   float64 `json:"response"`
	Alert      float64 `json:"drill_alert"`
	Ack        float64 `json:"drill_ack"`
	Diagnosis  float64 `json:"drill_diagnosis"`
	Mitigation float64 `json:"drill_mitigation"`
	Restored   float64 `json:"drill_restored"`
	Quiet      float64 `json:"quiet"`
	// The game-day criteria.
	Assessment    float64 `json:"gameday_severity"`
	Escalation    float64 `json:"gameday_escalation"`
	Communication float64 `json:"gameday_communication"`
	Mitigated     float64 `json:"gameday_mitigation"`
	Postmortem    float64 `json:"gameday_postmortem"`
}

// MarshalJSON writes targets with stored durations and weights keyed by
// criterion ID.
func (t Targets) MarshalJSON() ([]byte, error) {
	return json.Marshal(t.wire())
}

func (t Targets) wire() targetsJSON {
	var w targetsJSON
	w.MTTD, w.MTTA, w.MTTR = jsonDuration(t.MTTD), jsonDuration(t.MTTA), jsonDuration(t.MTTR)
	w.Response.P1, w.Response.P2 = jsonDuration(t.Response.P1), jsonDuration(t.Response.P2)
	w.Response.P3, w.Response.P4 = jsonDuration(t.Response.P3), jsonDuration(t.Response.P4)
	w.Drill.Alert, w.Drill.Ack = jsonDuration(t.Drill.Alert), jsonDuration(t.Drill.Ack)
	w.Drill.Diagnosis, w.Drill.Mitigation = jsonDuration(t.Drill.Diagnosis), jsonDuration(t.Drill.Mitigation)
	w.Drill.Restored = jsonDuration(t.Drill.Restored)
	g := t.GameDay
	w.GameDay.Always = g.Always
	w.GameDay.Roles.P1, w.GameDay.Roles.P2, w.GameDay.Roles.P3, w.GameDay.Roles.P4 = g.Roles.P1, g.Roles.P2, g.Roles.P3, g.Roles.P4
	w.GameDay.FirstUpdate, w.GameDay.FirstNotice = jsonDuration(g.FirstUpdate), jsonDuration(g.FirstNotice)
	w.GameDay.UpdateEvery = jsonDuration(g.UpdateEvery)
	w.Weights = weightsJSON(t.Weights)
	return w
}

// UnmarshalJSON reads what MarshalJSON writes. Fields absent from the JSON
// keep their value, so decoding into DefaultTargets() overrides only what
// the JSON says.
func (t *Targets) UnmarshalJSON(b []byte) error {
	w := t.wire()
	if err := json.Unmarshal(b, &w); err != nil {
		return fmt.Errorf("decode targets: %w", err)
	}
	*t = Targets{
		MTTD: time.Duration(w.MTTD), MTTA: time.Duration(w.MTTA), MTTR: time.Duration(w.MTTR),
		Response: ResponseTargets{
			P1: time.Duration(w.Response.P1), P2: time.Duration(w.Response.P2),
			P3: time.Duration(w.Response.P3), P4: time.Duration(w.Response.P4),
		},
		Drill: DrillTargets{
			Alert: time.Duration(w.Drill.Alert), Ack: time.Duration(w.Drill.Ack),
			Diagnosis: time.Duration(w.Drill.Diagnosis), Mitigation: time.Duration(w.Drill.Mitigation),
			Restored: time.Duration(w.Drill.Restored),
		},
		GameDay: GameDayTargets{
			Always: w.GameDay.Always,
			Roles: RoleTargets{P1: w.GameDay.Roles.P1, P2: w.GameDay.Roles.P2,
				P3: w.GameDay.Roles.P3, P4: w.GameDay.Roles.P4},
			FirstUpdate: time.Duration(w.GameDay.FirstUpdate), FirstNotice: time.Duration(w.GameDay.FirstNotice),
			UpdateEvery: time.Duration(w.GameDay.UpdateEvery),
		},
		Weights: Weights(w.Weights),
	}
	return nil
}
