package forms

import (
	"errors"
	"fmt"
)

// Check reports every problem with a form definition at once, each with the
// path of the field at fault, so that an author can fix them in one pass.
func (f *Form) Check() error {
	var errs []error
	fail := func(path, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", path, fmt.Sprintf(format, args...)))
	}
	texts := func(path string, t Text) {
		for _, lang := range f.Languages {
			if t[lang] == "" {
				fail(path, "missing %q translation", lang)
			}
		}
	}

	if !identifier.MatchString(f.ID) {
		fail("id", "%q must be 1-64 characters of a-z, 0-9 and _", f.ID)
	}
	if f.Version < 1 {
		fail("version", "must be 1 or more")
	}
	if f.Kind != KindCitizen && f.Kind != KindPartner {
		fail("kind", "%q is not citizen or partner", f.Kind)
	}
	if !f.HasLanguage(f.DefaultLanguage) {
		fail("default_language", "%q is not among languages", f.DefaultLanguage)
	}
	texts("title", f.Title)
	texts("intro", f.Intro)
	if len(f.Items) == 0 {
		fail("items", "a form needs at least one item")
	}

	seen := make(map[string]bool)
	for i, it := range f.Items {
		path := fmt.Sprintf("items[%d]", i)
		if !identifier.MatchString(it.ID) {
			fail(path+".id", "%q must be 1-64 characters of a-z, 0-9 and _", it.ID)
		}
		if seen[it.ID] {
			fail(path+".id", "%q is used twice", it.ID)
		}
		seen[it.ID] = true
		texts(path+".text", it.Text)

		switch it.Type {
		case TypeScale:
			if it.Min >= it.Max {
				fail(path, "min %d must be below max %d", it.Min, it.Max)
			}
			if it.Labels == nil {
				fail(path+".labels", "a scale needs labels for both ends")
			} else {
				texts(path+".labels.min", it.Labels.Min)
				texts(path+".labels.max", it.Labels.Max)
			}
		case TypeChoice:
			if len(it.Options) < 2 {
				fail(path+".options", "a choice needs at least two options")
			}
			values := make(map[string]bool)
			for j, o := range it.Options {
				opath := fmt.Sprintf("%s.options[%d]", path, j)
				if !identifier.MatchString(o.Value) {
					fail(opath+".value", "%q must be 1-64 characters of a-z, 0-9 and _", o.Value)
				}
				if values[o.Value] {
					fail(opath+".value", "%q is used twice", o.Value)
				}
				values[o.Value] = true
				texts(opath+".label", o.Label)
			}
		case TypeText:
			if it.MaxLength < 1 {
				fail(path+".max_length", "a text item needs a max_length of 1 or more")
			}
		default:
			fail(path+".type", "unknown item type %q", it.Type)
		}
	}
	return errors.Join(errs...)
}
