package outbox

import (
	"context"

	"samspil/partnership"
)

// cache keeps what one pass of the sender reads for many entries: a
// round's invitations are one scan on the embedded store, so a pass of
// 200 invitation mails reads them once, not 200 times.
type cache struct {
	store        Store
	partnerships map[string]partnership.Partnership
	waves        map[string]partnership.Wave
	invitations  map[string]map[string]partnership.Invitation
	partners     map[string]map[string]partnership.Partner
	outbox       map[string][]Entry
}

func newCache(s Store) *cache {
	return &cache{store: s, partnerships: map[string]partnership.Partnership{}, waves: map[string]partnership.Wave{},
		invitations: map[string]map[string]partnership.Invitation{}, partners: map[string]map[string]partnership.Partner{}, outbox: map[string][]Entry{}}
}

func (c *cache) partnership(ctx context.Context, id string) (partnership.Partnership, error) {
	if pa, ok := c.partnerships[id]; ok {
		return pa, nil
	}
	pa, err := c.store.Partnership(ctx, id)
	if err == nil {
		c.partnerships[id] = pa
	}
	return pa, err
}

func (c *cache) wave(ctx context.Context, pid, id string) (partnership.Wave, error) {
	if w, ok := c.waves[id]; ok {
		return w, nil
	}
	w, err := c.store.Wave(ctx, pid, id)
	if err == nil {
		c.waves[id] = w
	}
	return w, err
}

// invitation is a partner's current invitation to a round.
func (c *cache) invitation(ctx context.Context, wave, partner string) (partnership.Invitation, bool, error) {
	byPartner, ok := c.invitations[wave]
	if !ok {
		invs, err := c.store.Invitations(ctx, wave)
		if err != nil {
			return partnership.Invitation{}, false, err
		}
		byPartner = map[string]partnership.Invitation{}
		for _, inv := range invs {
			byPartner[inv.Partner] = inv
		}
		c.invitations[wave] = byPartner
	}
	inv, ok := byPartner[partner]
	return inv, ok, nil
}

// partner is a partner of a partnership, from one read of them all.
func (c *cache) partner(ctx context.Context, pid, id string) (partnership.Partner, error) {
	byID, ok := c.partners[pid]
	if !ok {
		ps, err := c.store.Partners(ctx, pid)
		if err != nil {
			return partnership.Partner{}, err
		}
		byID = map[string]partnership.Partner{}
		for _, p := range ps {
			byID[p.ID] = p
		}
		c.partners[pid] = byID
	}
	p, ok := byID[id]
	if !ok {
		return partnership.Partner{}, partnership.ErrNotFound
	}
	return p, nil
}

// mail is a round's outbox entries as the pass began.
func (c *cache) mail(ctx context.Context, wave string) ([]Entry, error) {
	if es, ok := c.outbox[wave]; ok {
		return es, nil
	}
	es, err := c.store.MailOfWave(ctx, wave)
	if err == nil {
		c.outbox[wave] = es
	}
	return es, err
}
