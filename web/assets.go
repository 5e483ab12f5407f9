package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"mime"
	"path"
	"strings"
	"time"

	"samspil/theory"

	"github.com/gofiber/fiber/v2"
)

//go:embed static templates
var webFiles embed.FS

// asset is a static file served under a name that changes with its
// content, so browsers may keep it for a year.
type asset struct {
	body        []byte
	contentType string
}

// assets holds the static files by hashed name and the hashed URL of each
// file by its plain name.
type assets struct {
	byName map[string]asset
	url    map[string]string
}

func loadAssets() (*assets, error) {
	a := &assets{byName: map[string]asset{}, url: map[string]string{}}
	entries, err := fs.ReadDir(webFiles, "static")
	if err != nil {
		return nil, fmt.Errorf("list static files: %w", err)
	}
	for _, e := range entries {
		body, err := fs.ReadFile(webFiles, "static/"+e.Name())
		if err != nil {
			return nil, fmt.Errorf("read static file %s: %w", e.Name(), err)
		}
		sum := sha256.Sum256(body)
		ext := path.Ext(e.Name())
		hashed := strings.TrimSuffix(e.Name(), ext) + "." + hex.EncodeToString(sum[:6]) + ext
		a.byName[hashed] = asset{body: body, contentType: mime.TypeByExtension(ext)}
		a.url[e.Name()] = "/static/" + hashed
	}
	return a, nil
}

func (a *assets) serve(c *fiber.Ctx, _ *request) error {
	f, ok := a.byName[c.Params("name")]
	if !ok {
		return errNotFound
	}
	c.Set(fiber.HeaderContentType, f.contentType)
	c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
	return c.Send(f.body)
}

// loadTemplates parses the console's templates and the phone pages'
// (citizen and partner forms), each set with its own layout.
func loadTemplates() (console, phone *template.Template, err error) {
	console, err = parseTemplates("templates/console/*.html")
	if err != nil {
		return nil, nil, err
	}
	phone, err = parseTemplates("templates/phone/*.html")
	return console, phone, err
}

func parseTemplates(pattern string) (*template.Template, error) {
	t, err := template.New("").Funcs(template.FuncMap{
		"date":      func(t time.Time) string { return t.In(local).Format(time.DateOnly) },
		"localTime": func(t time.Time) string { return t.In(local).Format("2006-01-02 15:04") },
		"pct":       pct,
		"list":      func(items ...string) []string { return items },
		// dict2 passes several values to a template.
		"dict2": func(kv ...any) map[string]any {
			m := map[string]any{}
			for i := 0; i+1 < len(kv); i += 2 {
				m[fmt.Sprint(kv[i])] = kv[i+1]
			}
			return m
		},
		"inc":  func(i int) int { return i + 1 },
		"join": strings.Join,
		// measureKey, targetOf and elementOptions fill the program
		// theory's editor.
		"measureKey": func(m *theory.Measure) string {
			if m == nil {
				return ""
			}
			return measureKey(*m)
		},
		"targetOf":       targetOf,
		"elementOptions": elementOptions,
		"newArrowEnds":   newArrowEnds,
		"elementText": func(t any, id string) string {
			switch t := t.(type) {
			case theory.Theory:
				return elementText(t, id)
			case *theory.Theory:
				if t != nil {
					return elementText(*t, id)
				}
			}
			return id
		},
		"author": author,
		// faceMouths draws the five faces of a 5-point scale, from a
		// frown to a smile, as SVG paths.
		"faceMouths": func() map[int]string {
			return map[int]string{1: "M7.5 17.5q4.5-4 9 0", 2: "M8 16.5q4-2 8 0", 3: "M8 15.5h8", 4: "M8 14.5q4 2 8 0", 5: "M7.5 14q4.5 4.5 9 0"}
		},
	}).ParseFS(webFiles, pattern)
	if err != nil {
		return nil, fmt.Errorf("parse templates: %w", err)
	}
	return t, nil
}
