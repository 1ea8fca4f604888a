package e

import "testing"

func TestPanics(t *testing.T) {
	t.Log("stacktest: provider docker")
	var m map[string]int
	m["x"] = 1
}
