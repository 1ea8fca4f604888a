// Package console is the game day's web console, served by `firedrill run`
// on 127.0.0.1: a responder view (the page, firing alerts, the stack's
// health, the incident's timeline, who holds which role, and every action
// people take) and a facilitator view (the ground truth and the drill's
// controls), updated live with server-sent events. Every request carries
// the run's token for its view (Authorization: Bearer, the view's cookie
// set when its URL is opened with ?token=, or ?token= on a GET): none is
// 401, a wrong one 403; a POST from another origin is refused, and a
// cookie-authenticated POST needs the page's CSRF header. The responder
// view never shows the fault. The CLI (`firedrill ack`, `update`, …)
// speaks the same JSON API: GET /api/state, GET /api/events, POST
// /api/action; the facilitator's under /api/facilitator/.
package console
