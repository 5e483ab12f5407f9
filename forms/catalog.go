package forms

import (
	"embed"
	"fmt"
	"io/fs"
	"slices"
	"strings"
)

// Catalog holds the published forms, the latest version of each.
type Catalog struct {
	forms []*Form
}

//go:embed builtin/*.json
var builtin embed.FS

// Builtin returns the forms that ship inside the binary.
func Builtin() (*Catalog, error) {
	return load(builtin)
}

func load(fsys fs.FS) (*Catalog, error) {
	paths, err := fs.Glob(fsys, "builtin/*.json")
	if err != nil {
		return nil, fmt.Errorf("list built-in forms: %w", err)
	}
	var c Catalog
	for _, p := range paths {
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", p, err)
		}
		f, err := Parse(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		if _, dup := c.Form(f.ID); dup {
			return nil, fmt.Errorf("%s: form %q is defined twice", p, f.ID)
		}
		c.forms = append(c.forms, f)
	}
	slices.SortFunc(c.forms, func(a, b *Form) int { return strings.Compare(a.ID, b.ID) })
	return &c, nil
}

// Form returns the form with the given id.
func (c *Catalog) Form(id string) (*Form, bool) {
	i := slices.IndexFunc(c.forms, func(f *Form) bool { return f.ID == id })
	if i < 0 {
		return nil, false
	}
	return c.forms[i], true
}

// Forms returns every form, ordered by id.
func (c *Catalog) Forms() []*Form {
	return slices.Clone(c.forms)
}
