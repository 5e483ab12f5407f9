package access

import "slices"

// Principal is whoever a request acts for: an API key or a signed-in
// staff member. Both adapters authorize it with the same rules, so a page
// and its JSON twin cannot disagree.
type Principal struct {
	// ID names the principal in the audit log: a key's id, or "user:"
	// and a staff member's e-mail address.
	ID   string
	Role Role
	// Partnerships are those a backbone principal runs.
	Partnerships []string
}

// Sees reports whether the principal may see a partnership at all.
func (p Principal) Sees(partnership string) bool {
	return p.Role == RoleAdmin || p.Role == RoleEvaluator || slices.Contains(p.Partnerships, partnership)
}

// Rule says who may use an endpoint or a page: anyone, or principals with
// one of the roles; a backbone principal only for its own partnerships.
type Rule struct {
	Public bool
	Roles  []Role
}

// The rules every route and page is given, in one table.
var (
	Anyone = Rule{Public: true}
	Admins = Rule{Roles: []Role{RoleAdmin}}
	// Readers read every partnership's aggregates.
	Readers = Rule{Roles: []Role{RoleAdmin, RoleEvaluator}}
	// Managers run a partnership: change it, its partners, activities,
	// waves and invitations, and see contact e-mails.
	Managers = Rule{Roles: []Role{RoleAdmin, RoleBackbone}}
	// Viewers see partnerships, read-only.
	Viewers = Rule{Roles: []Role{RoleAdmin, RoleBackbone, RoleEvaluator}}
)

// Allows reports whether the principal may use what the rule guards for
// the partnership ("" when it concerns no single partnership).
func (r Rule) Allows(p Principal, partnership string) bool {
	if r.Public {
		return true
	}
	if !slices.Contains(r.Roles, p.Role) {
		return false
	}
	return p.Role != RoleBackbone || partnership == "" || slices.Contains(p.Partnerships, partnership)
}

// Principal is the principal a key acts as.
func (k Key) Principal() Principal {
	p := Principal{ID: k.ID, Role: k.Role}
	if k.Partnership != "" {
		p.Partnerships = []string{k.Partnership}
	}
	return p
}
