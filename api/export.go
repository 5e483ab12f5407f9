package api

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"samspil/access"
	"samspil/forms"
)

// ExportStore streams stored responses.
type ExportStore interface {
	EachResponse(ctx context.Context, form, partnership, wave string, fn func(forms.Response) error) error
}

// exportColumn is one column of a de-identified export.
type exportColumn struct {
	name  string
	item  *forms.Item
	scale *forms.Scale
	field func(forms.Response) string
}

// exportColumns lists an export's columns in codebook order: where the
// response belongs, then one column per item, then the scores. Free text
// only comes along when asked for by an admin, and the rater of a partner
// survey only for admins.
func exportColumns(f *forms.Form, withText, withRater bool) []exportColumn {
	cols := []exportColumn{
		{name: "partnership", field: func(r forms.Response) string { return r.Partnership }},
		{name: "activity", field: func(r forms.Response) string { return r.Activity }},
		{name: "wave", field: func(r forms.Response) string { return r.Wave }},
		// A day is as fine as time gets: a timestamp could single a person out.
		{name: "day", field: func(r forms.Response) string { return r.SubmittedAt.UTC().Format(time.DateOnly) }},
		{name: "form_version", field: func(r forms.Response) string { return strconv.Itoa(r.FormVersion) }},
		{name: "lang", field: func(r forms.Response) string { return r.Lang }},
	}
	if withRater && f.Kind == forms.KindPartner {
		cols = append(cols, exportColumn{name: "partner", field: func(r forms.Response) string { return r.Partner }})
	}
	for i := range f.Items {
		it := &f.Items[i]
		if it.Type == forms.TypeText && !withText {
			continue
		}
		cols = append(cols, exportColumn{name: it.ID, item: it})
	}
	for i := range f.Scales {
		sc := &f.Scales[i]
		cols = append(cols, exportColumn{name: "score_" + sc.ID, scale: sc})
	}
	return cols
}

// exportValue writes one answer as a CSV cell.
func exportValue(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case []string:
		return strings.Join(x, ";")
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return formatNumber(x)
	case []map[string]any:
		b, _ := json.Marshal(x)
		return string(b)
	default:
		return fmt.Sprint(x)
	}
}

// exportForm finds the form an export is of, from the path or ?form=, and
// tells whether the caller is an admin, who may see more.
func (s *server) exportForm(c *fiber.Ctx, formStore FormStore) (*forms.Form, bool, error) {
	f, err := s.form(c.UserContext(), formStore, c.Params("form", c.Query("form", citizenForm)), 0)
	key, _ := c.Locals(keyLocal).(access.Key)
	return f, key.Role == access.RoleAdmin, err
}

// export streams de-identified responses as CSV, one row per response as
// it is read from the store, so memory stays flat whatever the size.
func (s *server) export(store ExportStore, formStore FormStore, partnershipScoped bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		f, isAdmin, err := s.exportForm(c, formStore)
		if err != nil {
			return err
		}
		if c.Query("include_text") == "true" && !isAdmin {
			return newError(fiber.StatusForbidden, "forbidden")
		}
		cols := exportColumns(f, c.Query("include_text") == "true", isAdmin)
		pid := ""
		if partnershipScoped {
			pid = c.Params("pid")
		}
		wave := c.Query("wave")
		header := make([]string, len(cols))
		for i, col := range cols {
			header[i] = col.name
		}
		c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
		c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="%s.csv"`, f.ID))
		logger := s.Logger
		c.Context().SetBodyStreamWriter(func(bw *bufio.Writer) {
			w := csv.NewWriter(bw)
			_ = w.Write(header)
			row := make([]string, len(cols))
			rows := 0
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
			defer cancel()
			err := store.EachResponse(ctx, f.ID, pid, wave, func(r forms.Response) error {
				for i, col := range cols {
					switch {
					case col.field != nil:
						row[i] = col.field(r)
					case col.item != nil:
						row[i] = exportValue(r.Answers[col.item.ID])
					default:
						row[i] = ""
						if v, ok := r.Scores[col.scale.ID]; ok {
							row[i] = formatNumber(v)
						}
					}
				}
				rows++
				if err := w.Write(row); err != nil {
					return err
				}
				// Send in chunks: enough to keep memory flat, few enough to stay fast.
				if rows%1000 == 0 {
					w.Flush()
					if err := bw.Flush(); err != nil {
						return err
					}
				}
				return w.Error()
			})
			w.Flush()
			if err != nil {
				logger.Error("export stopped", "form", f.ID, "err", err)
			}
		})
		return nil
	}
}

// dataPackage describes an export's columns as a Frictionless Data
// tabular data package, so that R, Python and spreadsheets read it typed.
func (s *server) dataPackage(formStore FormStore, partnershipScoped bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		f, isAdmin, err := s.exportForm(c, formStore)
		if err != nil {
			return err
		}
		path := "/api/v1/export/" + f.ID + ".csv"
		if partnershipScoped {
			path = "/api/v1/partnerships/" + c.Params("pid") + "/export.csv?form=" + f.ID
		}
		var fields []fiber.Map
		for _, col := range exportColumns(f, c.Query("include_text") == "true" && isAdmin, isAdmin) {
			field := fiber.Map{"name": col.name, "type": "string"}
			switch {
			case col.name == "day":
				field["type"] = "date"
			case col.name == "form_version":
				field["type"] = "integer"
			case col.item != nil:
				field["title"], field["description"] = col.item.Text["en"], col.item.Text["da"]
				constraints := fiber.Map{}
				switch col.item.Type {
				case forms.TypeScale, forms.TypeRating:
					field["type"] = "integer"
					lo, hi := col.item.Range()
					constraints["minimum"], constraints["maximum"] = lo, hi
				case forms.TypeNumber:
					field["type"] = "number"
				case forms.TypeYesNo:
					field["type"] = "boolean"
				case forms.TypeChoice:
					var values []string
					for _, o := range col.item.Options {
						values = append(values, o.Value)
					}
					if col.item.PreferNot {
						values = append(values, forms.PreferNot)
					}
					constraints["enum"] = values
				case forms.TypeMulti:
					field["description"] = col.item.Text["da"] + " (values separated by ;)"
				case forms.TypePartners:
					field["description"] = col.item.Text["da"] + " (JSON list of rated partners)"
				}
				if len(constraints) > 0 {
					field["constraints"] = constraints
				}
				// "prefer_not" is text: a column that may hold it is one too.
				if col.item.PreferNot && field["type"] != "string" {
					field["description"] = fmt.Sprintf("%s (%s, or prefer_not)", col.item.Text["da"], field["type"])
					field["type"] = "string"
					delete(field, "constraints")
				}
			case col.scale != nil:
				field["type"] = "number"
				field["title"], field["description"] = col.scale.Label["en"], scoringRule(f, *col.scale)
				lo, hi := f.ScoreRange(*col.scale)
				field["constraints"] = fiber.Map{"minimum": lo, "maximum": hi}
			}
			fields = append(fields, field)
		}
		return c.JSON(fiber.Map{
			"profile": "tabular-data-package",
			"name":    "samspil-" + strings.ReplaceAll(f.ID, "_", "-"),
			"title":   f.Title.In("en", f.DefaultLanguage),
			"resources": []fiber.Map{{
				"name": strings.ReplaceAll(f.ID, "_", "-"), "path": s.baseURL(c) + path, "profile": "tabular-data-resource",
				"format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
				"schema": fiber.Map{"fields": fields, "missingValues": []string{""}},
			}},
		})
	}
}
