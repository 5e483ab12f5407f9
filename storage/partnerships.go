package storage

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"samspil/forms"
	"samspil/partnership"
)

// record stores a domain value under the keys it is found by. The value
// itself is one embedded document, so domain types need no database tags.
type record[T any] struct {
	ID          string `bson:"_id"`
	Partnership string `bson:"partnership,omitempty"`
	Wave        string `bson:"wave,omitempty"`
	// NameKey makes partner names unique within a partnership.
	NameKey string `bson:"name_key,omitempty"`
	Value   T      `bson:"value"`
}

func insertRecord[T any](ctx context.Context, coll *mongo.Collection, r record[T]) error {
	if _, err := coll.InsertOne(ctx, r); err != nil {
		return fmt.Errorf("insert into %s: %w", coll.Name(), err)
	}
	return nil
}

func findRecord[T any](ctx context.Context, coll *mongo.Collection, id string) (T, error) {
	var r record[T]
	err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&r)
	if notFound(err) {
		return r.Value, partnership.ErrNotFound
	}
	if err != nil {
		return r.Value, fmt.Errorf("load from %s: %w", coll.Name(), err)
	}
	return r.Value, nil
}

func findRecords[T any](ctx context.Context, coll *mongo.Collection, filter bson.D) ([]T, error) {
	cur, err := coll.Find(ctx, filter, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", coll.Name(), err)
	}
	var rs []record[T]
	if err := cur.All(ctx, &rs); err != nil {
		return nil, fmt.Errorf("list %s: %w", coll.Name(), err)
	}
	out := make([]T, 0, len(rs))
	for _, r := range rs {
		out = append(out, r.Value)
	}
	return out, nil
}

func replaceRecord[T any](ctx context.Context, coll *mongo.Collection, r record[T]) error {
	res, err := coll.ReplaceOne(ctx, bson.D{{Key: "_id", Value: r.ID}}, r)
	if err != nil {
		return fmt.Errorf("update %s: %w", coll.Name(), err)
	}
	if res.MatchedCount == 0 {
		return partnership.ErrNotFound
	}
	return nil
}

// CreatePartnership stores a new partnership.
func (s *Store) CreatePartnership(ctx context.Context, p partnership.Partnership) error {
	return insertRecord(ctx, s.partnerships, record[partnership.Partnership]{ID: p.ID, Value: p})
}

// Partnership returns a partnership, or partnership.ErrNotFound.
func (s *Store) Partnership(ctx context.Context, id string) (partnership.Partnership, error) {
	return findRecord[partnership.Partnership](ctx, s.partnerships, id)
}

// Partnerships returns every partnership.
func (s *Store) Partnerships(ctx context.Context) ([]partnership.Partnership, error) {
	return findRecords[partnership.Partnership](ctx, s.partnerships, bson.D{})
}

// UpdatePartnership replaces a partnership's details.
func (s *Store) UpdatePartnership(ctx context.Context, p partnership.Partnership) error {
	return replaceRecord(ctx, s.partnerships, record[partnership.Partnership]{ID: p.ID, Value: p})
}

func partnerRecord(p partnership.Partner) record[partnership.Partner] {
	return record[partnership.Partner]{ID: p.ID, Partnership: p.Partnership, NameKey: partnership.NameKey(p.Name), Value: p}
}

// dupName turns a duplicate key on a partner's name into the domain's
// error. FerretDB v1 reports a replace that breaks a unique index as an
// internal error carrying SQLite's message, not as a duplicate key.
func dupName(err error) error {
	if mongo.IsDuplicateKeyError(err) || (err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")) {
		return partnership.ErrDuplicateName
	}
	return err
}

// CreatePartner stores a partner; a name the partnership already has gives
// partnership.ErrDuplicateName.
func (s *Store) CreatePartner(ctx context.Context, p partnership.Partner) error {
	return dupName(insertRecord(ctx, s.partners, partnerRecord(p)))
}

// CreatePartners stores several partners, all or none: without
// transactions, the ones stored before a failure are removed again.
func (s *Store) CreatePartners(ctx context.Context, ps []partnership.Partner) error {
	for i, p := range ps {
		if err := s.CreatePartner(ctx, p); err != nil {
			for _, done := range ps[:i] {
				if _, derr := s.partners.DeleteOne(context.WithoutCancel(ctx), bson.D{{Key: "_id", Value: done.ID}}); derr != nil {
					return errors.Join(err, fmt.Errorf("undo partner %s: %w", done.ID, derr))
				}
			}
			return err
		}
	}
	return nil
}

// Partner returns a partner of a partnership, or partnership.ErrNotFound.
func (s *Store) Partner(ctx context.Context, partnershipID, id string) (partnership.Partner, error) {
	p, err := findRecord[partnership.Partner](ctx, s.partners, id)
	if err == nil && p.Partnership != partnershipID {
		return partnership.Partner{}, partnership.ErrNotFound
	}
	return p, err
}

// Partners returns the partners of a partnership, active or not.
func (s *Store) Partners(ctx context.Context, partnershipID string) ([]partnership.Partner, error) {
	return findRecords[partnership.Partner](ctx, s.partners, bson.D{{Key: "partnership", Value: partnershipID}})
}

// UpdatePartner replaces a partner's details.
func (s *Store) UpdatePartner(ctx context.Context, p partnership.Partner) error {
	return dupName(replaceRecord(ctx, s.partners, partnerRecord(p)))
}

// CreateActivity stores an activity.
func (s *Store) CreateActivity(ctx context.Context, a partnership.Activity) error {
	return insertRecord(ctx, s.activities, record[partnership.Activity]{ID: a.ID, Partnership: a.Partnership, Value: a})
}

// Activity returns an activity of a partnership, or partnership.ErrNotFound.
func (s *Store) Activity(ctx context.Context, partnershipID, id string) (partnership.Activity, error) {
	a, err := findRecord[partnership.Activity](ctx, s.activities, id)
	if err == nil && a.Partnership != partnershipID {
		return partnership.Activity{}, partnership.ErrNotFound
	}
	return a, err
}

// FindActivity returns an activity by its id alone, for the short links
// on posters, or partnership.ErrNotFound.
func (s *Store) FindActivity(ctx context.Context, id string) (partnership.Activity, error) {
	return findRecord[partnership.Activity](ctx, s.activities, id)
}

// Activities returns the activities of a partnership.
func (s *Store) Activities(ctx context.Context, partnershipID string) ([]partnership.Activity, error) {
	return findRecords[partnership.Activity](ctx, s.activities, bson.D{{Key: "partnership", Value: partnershipID}})
}

// UpdateActivity replaces an activity's details.
func (s *Store) UpdateActivity(ctx context.Context, a partnership.Activity) error {
	return replaceRecord(ctx, s.activities, record[partnership.Activity]{ID: a.ID, Partnership: a.Partnership, Value: a})
}

// CreateWave stores a wave.
func (s *Store) CreateWave(ctx context.Context, w partnership.Wave) error {
	return insertRecord(ctx, s.waves, record[partnership.Wave]{ID: w.ID, Partnership: w.Partnership, Value: w})
}

// Wave returns a wave of a partnership, or partnership.ErrNotFound.
func (s *Store) Wave(ctx context.Context, partnershipID, id string) (partnership.Wave, error) {
	w, err := findRecord[partnership.Wave](ctx, s.waves, id)
	if err == nil && w.Partnership != partnershipID {
		return partnership.Wave{}, partnership.ErrNotFound
	}
	return w, err
}

// Waves returns the waves of a partnership.
func (s *Store) Waves(ctx context.Context, partnershipID string) ([]partnership.Wave, error) {
	return findRecords[partnership.Wave](ctx, s.waves, bson.D{{Key: "partnership", Value: partnershipID}})
}

// CreateInvitation stores an invitation, keyed by its token's hash. A wave
// invites each partner once: a second invitation reports created false.
func (s *Store) CreateInvitation(ctx context.Context, inv partnership.Invitation) (created bool, err error) {
	err = insertRecord(ctx, s.invitations, record[partnership.Invitation]{ID: inv.Hash, Partnership: inv.Partnership,
		Wave: inv.Wave, NameKey: inv.Partner, Value: inv})
	if mongo.IsDuplicateKeyError(err) {
		return false, nil
	}
	return err == nil, err
}

// Invitation returns the invitation whose token has the hash, or
// partnership.ErrNotFound.
func (s *Store) Invitation(ctx context.Context, hash string) (partnership.Invitation, error) {
	inv, err := findRecord[partnership.Invitation](ctx, s.invitations, hash)
	inv.Hash = hash
	return inv, err
}

// Invitations returns the invitations of a wave.
func (s *Store) Invitations(ctx context.Context, waveID string) ([]partnership.Invitation, error) {
	return findRecords[partnership.Invitation](ctx, s.invitations, bson.D{{Key: "wave", Value: waveID}})
}

// PartnerResponses returns the answers the given partners gave in a wave.
// Each is looked up by its _id, the one lookup the
// embedded store indexes, so this costs the same with a million citizen
// responses stored as with none.
func (s *Store) PartnerResponses(ctx context.Context, waveID string, partners []string) ([]forms.Response, error) {
	var out []forms.Response
	for _, p := range partners {
		r, ok, err := s.Response(ctx, forms.PartnerResponseID(waveID, p))
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, r)
		}
	}
	return out, nil
}

// Audit records a change.
func (s *Store) Audit(ctx context.Context, e partnership.AuditEntry) error {
	return insertRecord(ctx, s.audit, record[partnership.AuditEntry]{ID: e.ID, Partnership: e.Partnership, Value: e})
}

// AuditLog returns the most recent changes, newest first.
func (s *Store) AuditLog(ctx context.Context, limit int) ([]partnership.AuditEntry, error) {
	cur, err := s.audit.Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "value.at", Value: -1}}).SetLimit(int64(limit)))
	if err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	var rs []record[partnership.AuditEntry]
	if err := cur.All(ctx, &rs); err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	out := make([]partnership.AuditEntry, 0, len(rs))
	for _, r := range rs {
		out = append(out, r.Value)
	}
	return out, nil
}

// UpdateWave replaces a wave's details, such as its closing date.
func (s *Store) UpdateWave(ctx context.Context, w partnership.Wave) error {
	return replaceRecord(ctx, s.waves, record[partnership.Wave]{ID: w.ID, Partnership: w.Partnership, Value: w})
}

// ReissueInvitation gives a partner a new link to a wave: the old
// invitation's link stops working and the new one takes its place.
func (s *Store) ReissueInvitation(ctx context.Context, inv partnership.Invitation) error {
	if _, err := s.invitations.DeleteMany(ctx, bson.D{{Key: "wave", Value: inv.Wave}, {Key: "name_key", Value: inv.Partner}}); err != nil {
		return fmt.Errorf("withdraw old invitation: %w", err)
	}
	created, err := s.CreateInvitation(ctx, inv)
	if err != nil {
		return err
	}
	if !created {
		return fmt.Errorf("reissue invitation of %s: another new link was made at the same moment", inv.Partner)
	}
	return nil
}
