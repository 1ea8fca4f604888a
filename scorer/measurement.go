package scorer

import "time"

// Measurement is a duration that may not exist. A milestone that never
// happened must fail its criterion, not pass it as a zero duration, so every
// measured value carries Present.
type Measurement struct {
	Value   time.Duration
	Present bool
}

// Measured is a measurement of d.
func Measured(d time.Duration) Measurement { return Measurement{Value: d, Present: true} }

// Missing is the measurement of something that never happened.
func Missing() Measurement { return Measurement{} }

// Get returns the value and whether it exists, for code that branches on it.
func (m Measurement) Get() (time.Duration, bool) { return m.Value, m.Present }

// Sub is m − o, present only when both are.
func (m Measurement) Sub(o Measurement) Measurement {
	if !m.Present || !o.Present {
		return Missing()
	}
	return Measured(m.Value - o.Value)
}

// String is the duration, or "missing".
func (m Measurement) String() string {
	if !m.Present {
		return "missing"
	}
	return readable(m.Value)
}

// readable is d as people read it: to the second from a second up (a paced
// or realtime drill measures to the nanosecond), as is below.
func readable(d time.Duration) string {
	if d >= time.Second || d <= -time.Second {
		d = d.Round(time.Second)
	}
	return d.String()
}
