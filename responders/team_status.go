// The team as a console shows it: its roles and the incident.

package responders

import (
	"cmp"
	"slices"
)

// RoleStatus is one role as a console shows it.
type RoleStatus struct {
	Role   string `json:"role"`
	Title  string `json:"title"`
	Person string `json:"person,omitempty"`
	// Holder is who took or was given the role.
	Holder    string `json:"holder,omitempty"`
	Paged     bool   `json:"paged"`
	PagedAt   string `json:"paged_at,omitempty"`
	Escalated bool   `json:"escalated,omitempty"`
	Acked     bool   `json:"acked"`
	AckedBy   string `json:"acked_by,omitempty"`
	AckedAt   string `json:"acked_at,omitempty"`
}

// TeamStatus is the incident as the team sees it.
type TeamStatus struct {
	Paged    bool         `json:"paged"`
	Incident int          `json:"incident,omitempty"`
	Alert    string       `json:"alert,omitempty"`
	Alerts   []string     `json:"alerts,omitempty"`
	Severity string       `json:"severity,omitempty"`
	PagedAt  string       `json:"paged_at,omitempty"`
	Roles    []RoleStatus `json:"roles"`
	// Team is every role of the team, paged or not, for assigning.
	Team    []RoleStatus `json:"team"`
	Done    []string     `json:"done"`
	Pending int          `json:"pending"`
	Runs    []RunStatus  `json:"runs"`
}

// Status is the incident, its roles in the order paged, the whole team,
// what is done and the playbooks people started.
func (t *Team) Status() TeamStatus {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := TeamStatus{Paged: t.incident != 0, Roles: []RoleStatus{}, Team: []RoleStatus{}, Done: []string{}, Runs: []RunStatus{}, Pending: len(t.pending)}
	for _, r := range t.spec.Roles {
		rs := RoleStatus{Role: r.Key, Title: t.title(r), Person: r.Primary}
		if st := t.roles[r.Key]; st != nil {
			rs = t.roleStatus(r.Key)
		}
		s.Team = append(s.Team, rs)
	}
	if !s.Paged {
		return s
	}
	s.Incident, s.Alert, s.Severity = t.incident, t.page.Alert, t.page.Severity.String()
	s.Alerts, s.PagedAt = slices.Clone(t.page.Alerts), "T+"+t.page.Drill.String()
	for _, key := range t.order {
		s.Roles = append(s.Roles, t.roleStatus(key))
	}
	for a, ok := range t.done {
		if ok {
			s.Done = append(s.Done, string(a))
		}
	}
	slices.Sort(s.Done)
	for _, r := range t.runs {
		s.Runs = append(s.Runs, r.status())
	}
	return s
}

func (t *Team) roleStatus(key string) RoleStatus {
	st, r := t.roles[key], t.byKey[key]
	rs := RoleStatus{Role: key, Title: t.title(r), Person: cmp.Or(st.person, st.holder, r.Primary), Holder: st.holder,
		Paged: st.paged, Escalated: st.escalated, Acked: st.acked, AckedBy: st.ackedBy}
	if st.paged {
		rs.PagedAt = "T+" + st.pagedAt.String()
	}
	if st.acked {
		rs.AckedAt = "T+" + st.ackedAt.String()
	}
	return rs
}
