package followup

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"samspil/forms"
)

func testKeys(t *testing.T, fill byte) Keyring {
	t.Helper()
	k, err := NewKeyring(bytes.Repeat([]byte{fill}, MinSecret))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestParseReadsCodesAsPeopleTypeThem(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Code
		err  bool
	}{
		{in: "ACEF-HJKM", want: "ACEFHJKM"},
		{in: "acef hjkm", want: "ACEFHJKM"},
		{in: " acefhjkm\n", want: "ACEFHJKM"},
		{in: "3479-ACEF", want: "3479ACEF"},
		{in: "٣٤٧٩-ACEF", want: "3479ACEF"},      // digits typed on an Arabic keyboard
		{in: "ACEF–HJKM", want: "ACEFHJKM"},      // an en dash from a notes app
		{in: "ACEF\u2011HJKM", want: "ACEFHJKM"}, // a non-breaking hyphen copied from the page
		{in: "ACEF-HJK", err: true},              // too short
		{in: "ACEF-HJKMN", err: true},            // too long
		{in: "ACEF-HJK0", err: true},             // 0 is left out: it looks like O
		{in: "ACEF-HJKB", err: true},             // B looks like 8
		{in: "ACEF-HJKÅ", err: true},             // not ASCII
		{in: "", err: true},
	} {
		got, err := Parse(tc.in)
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("Parse(%q) = %q, %v; want %q (error %v)", tc.in, got, err, tc.want, tc.err)
		}
	}
	if s := Code("ACEFHJKM").String(); s != "ACEF-HJKM" {
		t.Errorf("String = %q, want two groups of four", s)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"ACEF-HJKM", "acef hjkm", "", "----", "ÅÅÅÅ-ÅÅÅÅ", "3479ACEF\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := Parse(s)
		if err != nil {
			return
		}
		// A code read back from how it is shown is the same code.
		if again, err := Parse(c.String()); err != nil || again != c {
			t.Errorf("Parse(%q) = %q, but its shown form %q reads as %q, %v", s, c, c.String(), again, err)
		}
	})
}

func TestCodesAreKeyedAndRepeatable(t *testing.T) {
	a, b := testKeys(t, 1), testKeys(t, 2)
	c := a.derive("sub-1", 0)
	if _, err := Parse(string(c)); err != nil {
		t.Fatalf("derived code %q does not parse: %v", c, err)
	}
	if a.derive("sub-1", 0) != c {
		t.Error("the same submission got another code")
	}
	if a.derive("sub-2", 0) == c || a.derive("sub-1", 1) == c {
		t.Error("another submission or attempt got the same code")
	}
	if b.derive("sub-1", 0) == c {
		t.Error("another secret derived the same code")
	}
	if a.Hash(c) == b.Hash(c) {
		t.Error("the hash does not depend on the secret: the database alone would link a known code")
	}
	if _, err := NewKeyring([]byte("short")); err == nil {
		t.Error("a short secret was accepted")
	}
}

// memStore keeps links in memory and records erasures.
type memStore struct {
	links  map[string]Link
	erased []string
}

func (m *memStore) FollowUp(_ context.Context, hash string) (Link, bool, error) {
	l, ok := m.links[hash]
	return l, ok, nil
}

func (m *memStore) LinkFollowUp(_ context.Context, hash, partnership, response string, at time.Time) error {
	l, ok := m.links[hash]
	if !ok {
		l = Link{Hash: hash, Partnership: partnership, Created: at}
	}
	if !slices.Contains(l.Responses, response) {
		l.Responses = append(l.Responses, response)
	}
	m.links[hash] = l
	return nil
}

func (m *memStore) DeleteFollowUp(_ context.Context, hash string) error {
	delete(m.links, hash)
	return nil
}

func (m *memStore) Response(_ context.Context, id string) (forms.Response, bool, error) {
	return forms.Response{ID: id}, !slices.Contains(m.erased, id), nil
}

func (m *memStore) EraseResponse(_ context.Context, id string) error {
	m.erased = append(m.erased, id)
	return nil
}

func TestIssueFindForget(t *testing.T) {
	ctx := context.Background()
	keys := testKeys(t, 1)
	store := &memStore{links: map[string]Link{}}
	svc := New(store, keys, time.Now)

	// Somebody holds the code the first attempt would give.
	taken := keys.derive("r1", 0)
	store.links[keys.Hash(taken)] = Link{Hash: keys.Hash(taken), Partnership: "pa-1", Responses: []string{"other"}}

	c, err := svc.Issue(ctx, "pa-1", "r1")
	if err != nil || c == taken {
		t.Fatalf("Issue = %q, %v; want a code nobody holds", c, err)
	}
	if again, err := svc.Issue(ctx, "pa-1", "r1"); err != nil || again != c {
		t.Errorf("the same submission sent again got %q, %v; want %q", again, err, c)
	}
	if err := svc.Link(ctx, c, "pa-1", "r2"); err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{c.String(), string(c), " " + string(c[:4]) + " " + string(c[4:])} {
		if _, l, err := svc.Find(ctx, text, "pa-1"); err != nil || !slices.Equal(l.Responses, []string{"r1", "r2"}) {
			t.Errorf("Find(%q) = %+v, %v; want both responses", text, l, err)
		}
	}
	if _, _, err := svc.Find(ctx, c.String(), "pa-2"); !errors.Is(err, ErrUnknown) {
		t.Errorf("Find in another partnership: %v, want ErrUnknown", err)
	}
	if _, _, err := svc.Find(ctx, "ACEF-HJKM", ""); !errors.Is(err, ErrUnknown) {
		t.Errorf("Find of a code nobody holds: %v, want ErrUnknown", err)
	}
	if _, _, err := svc.Find(ctx, "hello", ""); !errors.Is(err, ErrMalformed) {
		t.Errorf("Find of a malformed code: %v, want ErrMalformed", err)
	}

	_, l, _ := svc.Find(ctx, c.String(), "")
	if err := svc.Forget(ctx, l, true); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(store.erased, []string{"r1", "r2"}) {
		t.Errorf("erased %v, want both responses", store.erased)
	}
	if _, _, err := svc.Find(ctx, c.String(), ""); !errors.Is(err, ErrUnknown) {
		t.Errorf("the code still works after it was forgotten: %v", err)
	}
}
