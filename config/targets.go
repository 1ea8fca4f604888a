package config

// Targets are the scoring targets of firedrill.yaml. Zero keeps the
// playbook's value (MTTD 5 minutes, MTTA 15 minutes, MTTR 60 minutes; the
// drill criteria alert 2, ack 5, diagnosis 15, mitigation 20, restored 30
// minutes from the fault).
type Targets struct {
	MTTD  Duration     `yaml:"mttd"`
	MTTA  Duration     `yaml:"mtta"`
	MTTR  Duration     `yaml:"mttr"`
	Drill DrillTargets `yaml:"drill"`
	// GameDay are the communication targets of a game day (zero keeps
	// the default: first update and first notice 15 minutes after the ack,
	// an update at least every 30 minutes).
	GameDay GameDayTargets `yaml:"gameday"`
}

// GameDayTargets are the playbook's Phase 5 cadence as game-day targets.
type GameDayTargets struct {
	FirstUpdate Duration `yaml:"first_update"`
	FirstNotice Duration `yaml:"first_notice"`
	UpdateEvery Duration `yaml:"update_every"`
}

// DrillTargets are the monthly drill's expected response, each from T0.
type DrillTargets struct {
	Alert      Duration `yaml:"alert"`
	Ack        Duration `yaml:"ack"`
	Diagnosis  Duration `yaml:"diagnosis"`
	Mitigation Duration `yaml:"mitigation"`
	Restored   Duration `yaml:"restored"`
}

func (t Targets) validate(add func(path, format string, args ...any)) {
	for path, d := range map[string]Duration{
		"targets.mttd": t.MTTD, "targets.mtta": t.MTTA, "targets.mttr": t.MTTR,
		"targets.drill.alert": t.Drill.Alert, "targets.drill.ack": t.Drill.Ack,
		"targets.drill.diagnosis": t.Drill.Diagnosis, "targets.drill.mitigation": t.Drill.Mitigation,
		"targets.drill.restored":       t.Drill.Restored,
		"targets.gameday.first_update": t.GameDay.FirstUpdate, "targets.gameday.first_notice": t.GameDay.FirstNotice,
		"targets.gameday.update_every": t.GameDay.UpdateEvery,
	} {
		if d < 0 {
			add(path, "must not be negative")
		}
	}
}
