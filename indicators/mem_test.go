package indicators

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"samspil/forms"
)

// memStore keeps responses and releases in memory.
type memStore struct {
	responses []forms.Response
	mu        sync.Mutex
	releases  map[string][]byte
	through   map[string]string
	// followed are the responses follow-up codes link, person by person.
	followed [][]forms.Response
}

func (m *memStore) FollowedResponses(_ context.Context, pid string) ([][]forms.Response, error) {
	var out [][]forms.Response
	for _, rs := range m.followed {
		if len(rs) > 0 && rs[0].Partnership == pid {
			out = append(out, slices.Clone(rs))
		}
	}
	return out, nil
}

func (m *memStore) EachResponseIn(_ context.Context, form, pid string, days forms.Days, fn func(forms.Response) error) error {
	for _, r := range m.responses {
		day := r.SubmittedAt.UTC().Format(time.DateOnly)
		if r.FormID != form || r.Partnership != pid || (days.From != "" && day < days.From) || (days.To != "" && day > days.To) {
			continue
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

func (m *memStore) EachResponse(_ context.Context, form, pid, wave string, fn func(forms.Response) error) error {
	for _, r := range m.responses {
		if r.FormID == form && (pid == "" || r.Partnership == pid) && (wave == "" || r.Wave == wave) {
			if err := fn(r); err != nil {
				return err
			}
		}
	}
	return nil
}

func (m *memStore) LoadRelease(_ context.Context, id string) ([]byte, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	d, ok := m.releases[id]
	return d, ok, nil
}

// SaveRelease writes only over the document reaching through expect, as
// the store does.
func (m *memStore) SaveRelease(_ context.Context, id, expect, through string, data []byte) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.through == nil {
		m.through = map[string]string{}
	}
	if t, ok := m.through[id]; ok != (expect != "") || t != expect {
		return false, nil
	}
	m.releases[id], m.through[id] = data, through
	return true, nil
}

func citizenForm(t testing.TB) (*forms.Catalog, *forms.Form) {
	t.Helper()
	catalog, err := forms.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	f, _ := catalog.Form("citizen_short", 0)
	return catalog, f
}
