package web

import (
	"net/http"
	"slices"

	"github.com/gofiber/fiber/v2"

	"samspil/access"
	"samspil/partnership"
)

// staffView lists the accounts a person may manage and the form to invite
// one more.
type staffView struct {
	Users        []access.User
	Partnerships []partnership.Partnership
	Roles        []access.Role
	// Invited is a new set-password link, shown once.
	Invited, Link string
	// Mailed says the link is on its way by mail too.
	Mailed bool
	// New keeps the invitation form's fields when it comes back.
	NewEmail, NewRole string
	Me                string
	// Names are the partnerships' names by id.
	Names map[string]string
	// RoleFor and RoleError name the account whose role change came
	// back, and why, to show in that account's own form.
	RoleFor, RoleError string
	RoleAsked          string
}

// manages reports whether the principal may manage an account: an admin
// every one, a backbone the backbone accounts of its own partnerships.
func manages(p access.Principal, u access.User) bool {
	if p.Role == access.RoleAdmin {
		return true
	}
	if p.Role != access.RoleBackbone || u.Role != access.RoleBackbone {
		return false
	}
	for _, pid := range u.Partnerships {
		if !slices.Contains(p.Partnerships, pid) {
			return false
		}
	}
	return true
}

func (s *server) staffView(c *fiber.Ctx, r *request) (staffView, error) {
	users, err := s.Store.Users(c.UserContext())
	if err != nil {
		return staffView{}, err
	}
	all, err := s.Store.Partnerships(c.UserContext())
	if err != nil {
		return staffView{}, err
	}
	names := map[string]string{}
	for _, p := range all {
		names[p.ID] = p.Name
	}
	v := staffView{Names: names, Me: r.User.Email, NewRole: string(access.RoleBackbone),
		Users:        slices.DeleteFunc(users, func(u access.User) bool { return !manages(r.Principal, u) }),
		Partnerships: slices.DeleteFunc(all, func(p partnership.Partnership) bool { return !access.Managers.Allows(r.Principal, p.ID) }),
		Roles:        []access.Role{access.RoleBackbone}}
	if r.Principal.Role == access.RoleAdmin {
		v.Roles = access.Roles
	}
	return v, nil
}

func (s *server) staff(c *fiber.Ctx, r *request) error {
	p := s.page(c, r, "staff_title")
	p.Section = "staff"
	v, err := s.staffView(c, r)
	if err != nil {
		return err
	}
	p.Data = v
	return s.render(c, http.StatusOK, "staff.html", p)
}

// chosenPartnerships are the partnerships ticked in a staff form that the
// principal runs.
func chosenPartnerships(c *fiber.Ctx, p access.Principal) []string {
	var out []string
	for _, v := range c.Request().PostArgs().PeekMulti("partnerships") {
		if access.Managers.Allows(p, string(v)) {
			out = append(out, string(v))
		}
	}
	return out
}

// inviteStaff makes an account and shows its set-password link once.
func (s *server) inviteStaff(c *fiber.Ctx, r *request) error {
	ctx := c.UserContext()
	p := s.page(c, r, "staff_title")
	p.Section = "staff"
	v, err := s.staffView(c, r)
	if err != nil {
		return err
	}
	role := access.Role(c.FormValue("role"))
	if !slices.Contains(v.Roles, role) {
		role = ""
	}
	u, field, msg := access.NewUser(c.FormValue("email"), role, chosenPartnerships(c, r.Principal), r.Principal.ID, s.Now())
	if msg == "" {
		created, err := s.Store.CreateUser(ctx, u)
		if err != nil {
			return err
		}
		if !created {
			field, msg = "email", "user_exists"
		}
	}
	if msg != "" {
		p.problem(field, "field_"+field, msg)
		v.NewEmail, v.NewRole = c.FormValue("email"), c.FormValue("role")
		p.Data = v
		return s.render(c, http.StatusUnprocessableEntity, "staff.html", p)
	}
	link, mailed, err := s.setupURL(c, r, u.Email, false)
	if err != nil {
		return err
	}
	if err := s.audit(c, r, "user.invite", "", u.Email); err != nil {
		return err
	}
	v.Users = append(v.Users, u)
	v.Invited, v.Link, v.Mailed = u.Email, link, mailed
	p.Data = v
	return s.render(c, http.StatusCreated, "staff.html", p)
}

// setupURL makes a new set-password link for an account and, when mail
// is on, mails it in the console language of r, naming who made it; reset
// says it replaces a forgotten password.
func (s *server) setupURL(c *fiber.Ctx, r *request, email string, reset bool) (link string, mailed bool, err error) {
	l, token := access.NewSetupLink(email, s.Now())
	if err := s.Store.CreateSetupLink(c.UserContext(), l); err != nil {
		return "", false, err
	}
	if mailed, err = s.Outbox.SetPasswordMail(c.UserContext(), email, token, r.Lang, r.Principal.ID, reset); err != nil {
		return "", false, err
	}
	return s.baseURL(c) + "/setup/" + token, mailed, nil
}

// changeStaff disables or enables an account, changes its role (admins),
// or makes a new set-password link for a forgotten password. The account
// comes in a form field, never in the path, so what is clicked is what is
// changed.
func (s *server) changeStaff(c *fiber.Ctx, r *request) error {
	ctx := c.UserContext()
	u, ok, err := s.Store.User(ctx, access.NormalEmail(c.FormValue("email")))
	if err != nil {
		return err
	}
	if !ok {
		return errNotFound
	}
	if !manages(r.Principal, u) {
		return errForbidden
	}
	admin := r.Principal.Role == access.RoleAdmin
	action := c.FormValue("action")
	switch action {
	case "disable":
		if u.Email == r.User.Email {
			return &pageError{status: http.StatusUnprocessableEntity, msg: "cannot_disable_self"}
		}
		err = s.Store.SetDisabled(ctx, u.Email, true)
	case "enable":
		// An account an admin disabled stays so unless an admin says.
		if !admin {
			return errForbidden
		}
		err = s.Store.SetDisabled(ctx, u.Email, false)
	case "role":
		if !admin || u.Email == r.User.Email {
			return errForbidden
		}
		nu, _, msg := access.NewUser(u.Email, access.Role(c.FormValue("role")), chosenPartnerships(c, r.Principal), u.CreatedBy, u.CreatedAt)
		if msg != "" {
			p := s.page(c, r, "staff_title")
			p.Section = "staff"
			v, err := s.staffView(c, r)
			if err != nil {
				return err
			}
			v.RoleFor, v.RoleError, v.RoleAsked = u.Email, p.T(msg), c.FormValue("role")
			p.Errors = []fieldProblem{{Field: "role-for", Label: u.Email, Message: v.RoleError}}
			p.Data = v
			return s.render(c, http.StatusUnprocessableEntity, "staff.html", p)
		}
		err = s.Store.SetRole(ctx, u.Email, nu.Role, nu.Partnerships)
	case "erase":
		// Only an admin, only a disabled account: disabling first is the
		// confirmation, and nobody erases themselves.
		if !admin || !u.Disabled || u.Email == r.User.Email {
			return errForbidden
		}
		alias := "erased:" + access.Hash(u.Email)[:12]
		if err := s.Store.EraseUser(ctx, u.Email, alias); err != nil {
			return err
		}
		if err := s.audit(c, r, "user.erase", "", alias); err != nil {
			return err
		}
		return back(c, "/console/staff", "staff_changed")
	case "reset":
		if u.Disabled {
			return &pageError{status: http.StatusUnprocessableEntity, msg: "reset_disabled"}
		}
		link, mailed, err := s.setupURL(c, r, u.Email, true)
		if err != nil {
			return err
		}
		if err := s.Store.EndSessions(ctx, u.Email); err != nil {
			return err
		}
		if err := s.audit(c, r, "user.reset", "", u.Email); err != nil {
			return err
		}
		p := s.page(c, r, "staff_title")
		p.Section = "staff"
		v, err := s.staffView(c, r)
		if err != nil {
			return err
		}
		v.Invited, v.Link, v.Mailed = u.Email, link, mailed
		p.Data = v
		return s.render(c, http.StatusOK, "staff.html", p)
	default:
		return &pageError{status: http.StatusBadRequest, msg: "page_bad_request"}
	}
	if err != nil {
		return err
	}
	// A disabled account or a changed role ends the account's sessions:
	// the change holds from the next click.
	if err := s.Store.EndSessions(ctx, u.Email); err != nil {
		return err
	}
	if err := s.audit(c, r, "user."+action, "", u.Email); err != nil {
		return err
	}
	return back(c, "/console/staff", "staff_changed")
}
