// Package responders is who answers a drill's incidents: the pager that
// turns alerts into incidents and pages, the Responder contract, the
// automated on-call responder, and the playbook runner it drives.
//
// # Contract
//
// A Responder receives pages (Page) and acts once per drill tick (Tick), on
// drill time: a responder never sleeps, so a declared think time or a
// playbook's wait costs ticks, not wall time, while the real work it does in
// Tick moves the drill clock as real work must. It reports on the timeline:
// Acknowledged, Diagnosed, Mitigated, StepStarted/StepFinished and a Note
// whose Subject is VerificationPassed. The pager reads only those back, so
// people answering on the game-day console or with `firedrill ack` (Team,
// served by the console package) are a Responder that records the same
// milestones.
//
// Team is the responder of a game day with a team of people: it pages the
// roles the incident's severity needs (TeamSpec, from firedrill.yaml's team
// and escalation) and, after the ack timeout of drill time, a silent
// role's backup, recording RolePaged; people answer through Team.Do
// (acknowledgements per role, the declared severity, updates, status-page
// notices, the post-mortem, and a person's diagnosis, mitigation and
// verification), applied at the next tick. Its first role acknowledgement
// is the incident's Acknowledged, so the pager and MTTA read it as they
// read anyone's.
//
// The Pager is the monitors' alert sink. Alerts that fire while an incident
// is open join it; its severity is the highest severity label among them;
// PageSent is recorded when it opens and when its severity rises. It is
// resolved when verification passed and all its alerts resolved. Its
// AlertmanagerAPI answers Alertmanager's GET /api/v2/alerts with the alerts
// it holds, in Alertmanager's own model.
//
// # Playbooks
//
// A playbook is a YAML file (playbooks/*.yaml): name, description, steps.
// Every step has name, phase (diagnose, mitigate or verify), kind, an
// optional timeout (drill time; DefaultTimeout otherwise) and optional
// continue_on_error, plus its kind's fields. Load validates everything
// before a drill starts (unknown kind or field, missing field, bad phase,
// duration or template) and names the file and line: yaml.v3's Node.Decode
// has no KnownFields, so the loader checks field names against the kind's
// yaml tags itself.
//
// A step kind is one file that registers itself, as the injectors do:
//
//	func init() { Register("sql", func() Step { return new(SQLStep) }) }
//
// Its struct's yaml-tagged fields are its playbook fields (`required:"true"`
// marks required ones); Validator and TimeoutDefaulter are optional
// abilities. A Step's Run answers like alertmanager's notifiers: done, failed,
// or retry on a later tick (until the step's drill-time timeout).
//
// Text fields are Go templates, filled in when the step starts with
// TemplateData (.AppURL, .DatabaseURL, .AdminURL, .RedisURL, .Database,
// .User, .AppDatabaseURL, .AppUser, .RunID, .Backup, .Dir, .OutDir,
// .PrometheusURL, .AlertmanagerURL) and helpers: ident and literal quote SQL,
// shell quotes for sh, and drill turns a drill duration into the real
// interval it stands for ("N seconds"), so that "older than 10 minutes"
// still means something in a compressed drill: see Runtime.RealDuration.
//
// A shell step runs with the same as environment variables (ShellEnv):
// DATABASE_URL (the stack's own user), APP_DATABASE_URL and
// FIREDRILL_APP_USER (the app's login, as the app was started),
// REDIS_URL, APP_URL, PROMETHEUS_URL, ALERTMANAGER_URL,
// FIREDRILL_ADMIN_URL, FIREDRILL_DATABASE, FIREDRILL_RUN_ID,
// FIREDRILL_BACKUP, FIREDRILL_PLAYBOOK_DIR, and FIREDRILL_OUT_DIR: the
// drill's own directory in the run's output, made before the step runs,
// where a step keeps what it collects (evidence) — <out>/drills/<feature>/
// <scenario> under `firedrill run --out`, a directory removed when the
// run ends under go test.
//
// Each step's start and end, outcome and output (truncated to MaxOutput)
// are recorded on the timeline; passwords in URLs and password= settings are
// redacted from everything recorded. The last step of a phase finishing OK
// records that phase's milestone (Diagnosed, Mitigated, or the
// VerificationPassed note); a failing step stops the playbook unless it has
// continue_on_error.
package responders
