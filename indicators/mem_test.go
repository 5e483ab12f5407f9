package indicators

import (
	"context"
	"testing"
	"time"

	"samspil/forms"
)

// memStore keeps responses and releases in memory.
type memStore struct {
	responses []forms.Response
	releases  map[string][]byte
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
	d, ok := m.releases[id]
	return d, ok, nil
}

func (m *memStore) SaveRelease(_ context.Context, id, _ string, data []byte) error {
	m.releases[id] = data
	return nil
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
