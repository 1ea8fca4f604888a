package incident

import (
	"testing"
)

// FuzzParseDuration: every text a drill or a config file may hold either
// parses into a duration from 0 to MaxDuration or is refused with an error;
// none panics.
func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{
		"2 minutes", "90 seconds", "1 hour", "1.5 hours", "2 minutes 30 seconds", "2m", "90s", "1h30m",
		"45 minutes", "15s", "0s", "1 day", "500ms",
		// known bad
		"", "-1m", "2", "minutes", "1 hour and 30 minutes", "1 fortnight", "NaN seconds", "inf hours",
		"1e300 hours", "9223372036854775807 seconds", "2562047h47m16.854775807s", "2562048h",
		"99999999999999999999 days 1 day", "-0 s", "0x10 s", "1_000 s",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDuration(s)
		if err != nil {
			if d != 0 {
				t.Errorf("ParseDuration(%q) = %v with error %v: want 0 with an error", s, d, err)
			}
			return
		}
		if d < 0 || d > MaxDuration {
			t.Errorf("ParseDuration(%q) = %v: outside 0..%v", s, d, MaxDuration)
		}
	})
}
