package scenarios

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/firedrill/firedrill/scorer"
)

// The game day's sentences: the team answers instead of one person, and
// the playbook's five evaluation criteria as Then steps.

var teamOnCall = &Step{
	Keyword: "Given",
	Pattern: `the team is on call`,
	Example: `Given the team is on call`,
	Check: func(sc *Scenario, _ Args) error {
		if len(sc.With(runsPlaybook)) > 0 || len(sc.With(isPerson)) > 0 {
			return errors.New("the team is on call: the scenario also says who else answers (a playbook or one person); choose one")
		}
		return nil
	},
	Do: func(_ context.Context, d *Drill, _ Args) error { return d.SetTeam() },
}

var receiverPagesRole = &Step{
	Keyword: "Given",
	Pattern: `the receiver {string} pages the role {string}`,
	Example: `Given the receiver "database-pager" pages the role "database_admin"`,
	Check: func(sc *Scenario, a Args) error {
		team := sc.Config().Team
		if _, ok := team[a.Strings[1]]; !ok {
			return fmt.Errorf("the receiver %q pages the role %q: the team has no such role (it has %s)",
				a.Strings[0], a.Strings[1], strings.Join(team.Keys(), ", "))
		}
		return nil
	},
	Do: func(_ context.Context, d *Drill, a Args) error { return d.AddReceiverRole(a.Strings[0], a.Strings[1]) },
}

// criterionStep is a Then step asserting one game-day criterion is met.
func criterionStep(pattern, id string) *Step {
	return &Step{
		Keyword: "Then",
		Pattern: pattern,
		Example: "Then " + pattern,
		Do:      func(_ context.Context, d *Drill, _ Args) error { return d.CriterionMet(id) },
	}
}

var (
	severityCorrect     = criterionStep(`the severity assessment is correct`, scorer.IDAssessment)
	escalationProper    = criterionStep(`the escalation is proper`, scorer.IDEscalation)
	communicationTimely = criterionStep(`the communication is effective`, scorer.IDCommunication)
	mitigationSucceeded = criterionStep(`the mitigation is successful`, scorer.IDMitigated)
	postmortemCompleted = criterionStep(`the post-mortem is completed`, scorer.IDPostmortem)
)

var meetsCriteria = &Step{
	Keyword: "Then",
	Pattern: `the game day meets the evaluation criteria`,
	Example: `Then the game day meets the evaluation criteria`,
	Do:      func(_ context.Context, d *Drill, _ Args) error { return d.GameDayCriteriaMet() },
}

func init() {
	define(teamOnCall, receiverPagesRole, severityCorrect, escalationProper, communicationTimely, mitigationSucceeded, postmortemCompleted, meetsCriteria)
}

// CriterionMet: the game-day criterion id was met.
func (d *Drill) CriterionMet(id string) error {
	if err := d.needRun(); err != nil {
		return err
	}
	v := d.verdict()
	c, ok := v.Criterion(id)
	if !ok {
		return fmt.Errorf("%w: %s was not scored: %s", ErrAssertion, id, notGameDay(v))
	}
	if !c.Met {
		return fmt.Errorf("%w: %s: %s%s", ErrAssertion, c.Name, c.Status, noteOf(c))
	}
	return nil
}

// GameDayCriteriaMet: every game-day criterion that applies was met.
func (d *Drill) GameDayCriteriaMet() error {
	if err := d.needRun(); err != nil {
		return err
	}
	v := d.verdict()
	var missed []string
	scored := 0
	for _, id := range []string{scorer.IDAssessment, scorer.IDEscalation, scorer.IDCommunication, scorer.IDMitigated, scorer.IDPostmortem} {
		c, ok := v.Criterion(id)
		if !ok {
			continue
		}
		scored++
		if !c.Met {
			missed = append(missed, c.Name+" ("+string(c.Status)+noteOf(c)+")")
		}
	}
	switch {
	case scored == 0:
		return fmt.Errorf("%w: no evaluation criterion was scored: %s", ErrAssertion, notGameDay(v))
	case len(missed) > 0:
		return fmt.Errorf("%w: missed: %s", ErrAssertion, strings.Join(missed, "; "))
	}
	return nil
}

func noteOf(c scorer.Criterion) string {
	if c.Note == "" {
		return ""
	}
	return ": " + c.Note
}

// notGameDay says why a verdict has no game-day criteria.
func notGameDay(v scorer.Verdict) string {
	if len(v.Notes) > 0 {
		return strings.Join(v.Notes, "; ")
	}
	return "nobody on the team acted on the drill's incident"
}
