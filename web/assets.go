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
		a.url[e.Name()] = "/console/static/" + hashed
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

func loadTemplates() (*template.Template, error) {
	t, err := template.New("").Funcs(template.FuncMap{
		"date": func(t time.Time) string { return t.In(local).Format(time.DateOnly) },
		"pct":  pct,
		// dict2 passes several values to a template.
		"dict2": func(kv ...any) map[string]any {
			m := map[string]any{}
			for i := 0; i+1 < len(kv); i += 2 {
				m[fmt.Sprint(kv[i])] = kv[i+1]
			}
			return m
		},
	}).ParseFS(webFiles, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("parse templates: %w", err)
	}
	return t, nil
}
