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
		"targets.drill.restored": t.Drill.Restored,
	} {
		if d < 0 {
			add(path, "must not be negative")
		}
	}
}
