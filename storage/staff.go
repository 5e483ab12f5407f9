package storage

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"samspil/access"
	"samspil/partnership"
)

// Staff accounts are keyed by e-mail address, sessions and set-password
// links by the hash of their secret: every lookup is one by _id.

// CreateUser stores a new staff account; an address already in use
// reports created false. Once any account exists, the first start's link
// that creates the first admin stops working.
func (s *Store) CreateUser(ctx context.Context, u access.User) (created bool, err error) {
	err = insertRecord(ctx, s.users, record[access.User]{ID: u.Email, Value: u})
	if mongo.IsDuplicateKeyError(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if _, err := s.setupLinks.DeleteMany(ctx, bson.D{{Key: "user", Value: ""}}); err != nil {
		return true, fmt.Errorf("end the first admin's link: %w", err)
	}
	return true, nil
}

// User returns the account with the address.
func (s *Store) User(ctx context.Context, email string) (access.User, bool, error) {
	var r record[access.User]
	err := s.users.FindOne(ctx, bson.D{{Key: "_id", Value: email}}).Decode(&r)
	if notFound(err) {
		return access.User{}, false, nil
	}
	if err != nil {
		return access.User{}, false, fmt.Errorf("look up user: %w", err)
	}
	return r.Value, true, nil
}

// Users returns every account, by address.
func (s *Store) Users(ctx context.Context) ([]access.User, error) {
	return findRecords[access.User](ctx, s.users, bson.D{})
}

// Each change to an account sets only what it changes, so that a person
// saving their language cannot undo an admin's disabling them meanwhile.

// SetPassword stores a new password hash for an account.
func (s *Store) SetPassword(ctx context.Context, email, hash string) error {
	return s.setUser(ctx, email, bson.D{{Key: "value.passwordhash", Value: hash}})
}

// SetLang stores the console language an account chose.
func (s *Store) SetLang(ctx context.Context, email, lang string) error {
	return s.setUser(ctx, email, bson.D{{Key: "value.lang", Value: lang}})
}

// SetDisabled disables or enables an account.
func (s *Store) SetDisabled(ctx context.Context, email string, disabled bool) error {
	return s.setUser(ctx, email, bson.D{{Key: "value.disabled", Value: disabled}})
}

// SetRole gives an account a role and the partnerships it runs.
func (s *Store) SetRole(ctx context.Context, email string, role access.Role, partnerships []string) error {
	if partnerships == nil {
		partnerships = []string{}
	}
	return s.setUser(ctx, email, bson.D{{Key: "value.role", Value: role}, {Key: "value.partnerships", Value: partnerships}})
}

func (s *Store) setUser(ctx context.Context, email string, set bson.D) error {
	if s.serialize {
		s.updates.Lock()
		defer s.updates.Unlock()
	}
	res, err := s.users.UpdateOne(ctx, bson.D{{Key: "_id", Value: email}}, bson.D{{Key: "$set", Value: set}})
	if err != nil {
		return fmt.Errorf("change user: %w", err)
	}
	if res.MatchedCount == 0 {
		return partnership.ErrNotFound
	}
	return nil
}

// HasUsers reports whether any staff account exists.
func (s *Store) HasUsers(ctx context.Context) (bool, error) {
	n, err := s.users.CountDocuments(ctx, bson.D{}, options.Count().SetLimit(1))
	if err != nil {
		return false, fmt.Errorf("count users: %w", err)
	}
	return n > 0, nil
}

type sessionDoc struct {
	Hash      string    `bson:"_id"`
	User      string    `bson:"user"`
	CreatedAt time.Time `bson:"created_at"`
	SeenAt    time.Time `bson:"seen_at"`
}

// CreateSession stores a new session.
func (s *Store) CreateSession(ctx context.Context, ses access.Session) error {
	if _, err := s.sessions.InsertOne(ctx, sessionDoc(ses)); err != nil {
		return fmt.Errorf("store session: %w", err)
	}
	return nil
}

// Session returns the session whose token has the hash.
func (s *Store) Session(ctx context.Context, hash string) (access.Session, bool, error) {
	var d sessionDoc
	err := s.sessions.FindOne(ctx, bson.D{{Key: "_id", Value: hash}}).Decode(&d)
	if notFound(err) {
		return access.Session{}, false, nil
	}
	if err != nil {
		return access.Session{}, false, fmt.Errorf("look up session: %w", err)
	}
	return access.Session(d), true, nil
}

// TouchSession notes that a session was used.
func (s *Store) TouchSession(ctx context.Context, hash string, now time.Time) error {
	err := s.update(ctx, s.sessions, bson.D{{Key: "_id", Value: hash}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "seen_at", Value: now.UTC()}}}}, false)
	if err != nil {
		return fmt.Errorf("touch session: %w", err)
	}
	return nil
}

// EndSession signs one browser out.
func (s *Store) EndSession(ctx context.Context, hash string) error {
	if _, err := s.sessions.DeleteOne(ctx, bson.D{{Key: "_id", Value: hash}}); err != nil {
		return fmt.Errorf("end session: %w", err)
	}
	return nil
}

// EndSessions signs a person out everywhere.
func (s *Store) EndSessions(ctx context.Context, email string) error {
	if _, err := s.sessions.DeleteMany(ctx, bson.D{{Key: "user", Value: email}}); err != nil {
		return fmt.Errorf("end sessions: %w", err)
	}
	return nil
}

type setupDoc struct {
	Hash      string     `bson:"_id"`
	User      string     `bson:"user"`
	ExpiresAt time.Time  `bson:"expires_at"`
	UsedAt    *time.Time `bson:"used_at"`
}

// CreateSetupLink stores a set-password link; the person's earlier links
// stop working, so only the newest one shown is any good.
func (s *Store) CreateSetupLink(ctx context.Context, l access.SetupLink) error {
	if _, err := s.setupLinks.DeleteMany(ctx, bson.D{{Key: "user", Value: l.User}}); err != nil {
		return fmt.Errorf("drop earlier set-password links: %w", err)
	}
	if _, err := s.setupLinks.InsertOne(ctx, setupDoc(l)); err != nil {
		return fmt.Errorf("store set-password link: %w", err)
	}
	return nil
}

// SetupLink returns the link whose token has the hash.
func (s *Store) SetupLink(ctx context.Context, hash string) (access.SetupLink, bool, error) {
	var d setupDoc
	err := s.setupLinks.FindOne(ctx, bson.D{{Key: "_id", Value: hash}}).Decode(&d)
	if notFound(err) {
		return access.SetupLink{}, false, nil
	}
	if err != nil {
		return access.SetupLink{}, false, fmt.Errorf("look up set-password link: %w", err)
	}
	return access.SetupLink(d), true, nil
}

// UseSetupLink marks a link used and reports whether this call did: of
// two people posting one link at once, one wins.
func (s *Store) UseSetupLink(ctx context.Context, hash string, now time.Time) (bool, error) {
	used, err := s.writeIf(ctx, s.setupLinks, hash, bson.D{{Key: "used_at", Value: nil}},
		func(doc bson.Raw) bool {
			v, err := doc.LookupErr("used_at")
			return err == nil && v.Type == bson.TypeNull
		},
		updateOne(ctx, s.setupLinks, bson.D{{Key: "$set", Value: bson.D{{Key: "used_at", Value: now.UTC()}}}}))
	if err != nil {
		return false, fmt.Errorf("use set-password link: %w", err)
	}
	return used, nil
}

// EraseUser deletes a staff account with its sessions and password links,
// and replaces its e-mail in the audit log by alias: the log keeps that
// someone did something, not who.
func (s *Store) EraseUser(ctx context.Context, email, alias string) error {
	for _, coll := range []*mongo.Collection{s.sessions, s.setupLinks} {
		if _, err := coll.DeleteMany(ctx, bson.D{{Key: "user", Value: email}}); err != nil {
			return fmt.Errorf("erase account %s: %w", coll.Name(), err)
		}
	}
	for _, field := range []string{"value.actor", "value.target"} {
		if _, err := s.audit.UpdateMany(ctx, bson.D{{Key: field, Value: email}},
			bson.D{{Key: "$set", Value: bson.D{{Key: field, Value: alias}}}}); err != nil {
			return fmt.Errorf("erase account from the audit log: %w", err)
		}
	}
	if _, err := s.users.DeleteOne(ctx, bson.D{{Key: "_id", Value: email}}); err != nil {
		return fmt.Errorf("erase account: %w", err)
	}
	return nil
}
