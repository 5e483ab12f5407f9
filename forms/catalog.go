package forms

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"sync"
)

// Catalog holds every published version of every form. It is safe for
// concurrent use: forms are published while others are answered.
type Catalog struct {
	mu sync.RWMutex
	// versions of each form id, oldest first.
	versions map[string][]*Form
}

// ErrVersionExists is returned when a form version is published again with
// other content: published versions never change.
var ErrVersionExists = errors.New("form version exists with other content")

// ErrVersionTooLow is returned when a version is published below the latest.
var ErrVersionTooLow = errors.New("form version is not above the latest")

//go:embed builtin/*.json
var builtin embed.FS

// Builtin returns a catalog of the forms that ship inside the binary.
func Builtin() (*Catalog, error) {
	return load(builtin, "builtin")
}

func load(fsys fs.FS, dir string) (*Catalog, error) {
	paths, err := fs.Glob(fsys, dir+"/*.json")
	if err != nil {
		return nil, fmt.Errorf("list forms: %w", err)
	}
	c := NewCatalog()
	for _, p := range paths {
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", p, err)
		}
		f, err := Parse(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		if _, err := c.Add(f); err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
	}
	return c, nil
}

// NewCatalog returns an empty catalog.
func NewCatalog() *Catalog {
	return &Catalog{versions: make(map[string][]*Form)}
}

// Add publishes a checked form version. Adding a version that is already
// there with the same content changes nothing and reports added false.
// Versions may be added in any order, as when stored forms are loaded.
func (c *Catalog) Add(f *Form) (added bool, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	vs := c.versions[f.ID]
	i, found := slices.BinarySearchFunc(vs, f.Version, func(g *Form, v int) int { return g.Version - v })
	if found {
		if !Same(vs[i], f) {
			return false, ErrVersionExists
		}
		return false, nil
	}
	c.versions[f.ID] = slices.Insert(vs, i, f)
	return true, nil
}

// CanPublish tells whether f may be published as a new version: it must be
// above the latest one, or an identical copy of an existing one.
func (c *Catalog) CanPublish(f *Form) error {
	existing, ok := c.Form(f.ID, f.Version)
	if ok {
		if Same(existing, f) {
			return nil
		}
		return ErrVersionExists
	}
	if latest, ok := c.Form(f.ID, 0); ok && f.Version < latest.Version {
		return ErrVersionTooLow
	}
	return nil
}

// Form returns a version of a form; version 0 means the latest.
func (c *Catalog) Form(id string, version int) (*Form, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	vs := c.versions[id]
	if len(vs) == 0 {
		return nil, false
	}
	if version == 0 {
		return vs[len(vs)-1], true
	}
	i, found := slices.BinarySearchFunc(vs, version, func(g *Form, v int) int { return g.Version - v })
	if !found {
		return nil, false
	}
	return vs[i], true
}

// Forms returns the latest version of every form, ordered by id.
func (c *Catalog) Forms() []*Form {
	c.mu.RLock()
	defer c.mu.RUnlock()
	latest := make([]*Form, 0, len(c.versions))
	for _, vs := range c.versions {
		latest = append(latest, vs[len(vs)-1])
	}
	slices.SortFunc(latest, func(a, b *Form) int { return strings.Compare(a.ID, b.ID) })
	return latest
}

// Versions lists the published versions of a form, oldest first.
func (c *Catalog) Versions(id string) []int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	out := make([]int, 0, len(c.versions[id]))
	for _, f := range c.versions[id] {
		out = append(out, f.Version)
	}
	return out
}

// Same reports whether two definitions say the same thing.
func Same(a, b *Form) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && string(ja) == string(jb)
}

// All returns every version of every form, ordered by id and version.
func (c *Catalog) All() []*Form {
	c.mu.RLock()
	defer c.mu.RUnlock()
	var all []*Form
	for _, vs := range c.versions {
		all = append(all, vs...)
	}
	slices.SortFunc(all, func(a, b *Form) int {
		if n := strings.Compare(a.ID, b.ID); n != 0 {
			return n
		}
		return a.Version - b.Version
	})
	return all
}
