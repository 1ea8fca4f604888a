// Package wiring makes the choices the layers leave open, so that no layer
// needs to know another sideways: which traffic the monitors send (the demo
// app's profile, weighed by traffic.mix, with the team's own
// traffic.requests). The monitors send generic requests only, and the demo
// app owns its profile; this package is where the two meet.
//
// Callers that start a drill (the step library, `firedrill watch`) take their
// monitoring configuration from here rather than building it themselves.
package wiring
