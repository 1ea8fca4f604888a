// Package firedrill carries what firedrill ships as data — the drills
// (features/), the playbooks (playbooks/, with their scripts) and the alert rules (rules/) — inside
// the binary, so that a team that installs it with `go install` has them in
// its own repository too. internal/defaults layers the working directory's
// files over them; nothing else should read Shipped directly.
package firedrill

import "embed"

// Shipped holds the shipped data files under their paths in this repository
// (rules/default.rules.yml, playbooks/db-recovery.yaml, the playbooks'
// scripts in playbooks/scripts/, features/…).
//
//go:embed features/*.feature playbooks/*.yaml playbooks/scripts/*.sh rules/*.yml
var Shipped embed.FS
