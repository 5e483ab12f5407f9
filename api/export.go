package api

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"samspil/access"
	"samspil/forms"
	"samspil/indicators"
	"samspil/internal/sheet"
)

// generalisedNote explains a protected export's "*" in the data package.
const generalisedNote = `"*" where the row's group of at least the partnership's minimum size does not share one value`

// ExportStore streams stored responses.
type ExportStore interface {
	EachResponse(ctx context.Context, form, partnership, wave string, fn func(forms.Response) error) error
}

// exportColumn is one column of a de-identified export.
type exportColumn struct {
	name  string
	item  *forms.Item
	scale *forms.Scale
	field func(indicators.Row) string
}

// exportColumns lists an export's columns in codebook order: where the
// response belongs, then one column per item, then the scores. A raw
// export gives the day and the language; a protected one of citizens the
// month only, of partners the wave only, without the roster. Free text only
// comes along when asked for by an admin, and the rater of a partner
// survey only in a raw export.
func exportColumns(f *forms.Form, withText, raw bool) []exportColumn {
	cols := []exportColumn{
		{name: "partnership", field: func(r indicators.Row) string { return r.Partnership }},
		{name: "activity", field: func(r indicators.Row) string { return r.Activity }},
		{name: "wave", field: func(r indicators.Row) string { return r.Wave }},
	}
	switch {
	case raw:
		// A day is as fine as time gets: a timestamp could single a person out.
		cols = append(cols, exportColumn{name: "day", field: func(r indicators.Row) string { return r.SubmittedAt.UTC().Format(time.DateOnly) }})
	case f.Kind != forms.KindPartner:
		cols = append(cols, exportColumn{name: "month", field: func(r indicators.Row) string { return r.Month }})
	}
	cols = append(cols, exportColumn{name: "form_version", field: func(r indicators.Row) string { return strconv.Itoa(r.FormVersion) }})
	if raw {
		cols = append(cols, exportColumn{name: "lang", field: func(r indicators.Row) string { return r.Lang }})
	}
	if raw && f.Kind == forms.KindPartner {
		cols = append(cols, exportColumn{name: "partner", field: func(r indicators.Row) string { return r.Partner }})
	}
	for i := range f.Items {
		it := &f.Items[i]
		// A partner's roster names whom it works with, which the network
		// map shows too: it would tell whose row a row is.
		if it.Type == forms.TypeText && !withText || it.Type == forms.TypePartners && !raw {
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
		return forms.FormatNumber(x)
	case []map[string]any:
		b, _ := json.Marshal(x)
		return string(b)
	default:
		return fmt.Sprint(x)
	}
}

// exportRequest is what an export was asked for: its form, whether the
// caller is an admin, and whether raw rows were asked for (admins only).
type exportRequest struct {
	form     *forms.Form
	isAdmin  bool
	raw      bool
	withText bool
}

// exportRequestOf reads the form (from the path or ?form=) and ?raw= and
// ?include_text=, which only an admin may ask for.
func (s *server) exportRequestOf(c *fiber.Ctx, formStore FormStore) (exportRequest, error) {
	f, err := s.form(c.UserContext(), formStore, c.Params("form", c.Query("form", citizenForm)), 0)
	if err != nil {
		return exportRequest{}, err
	}
	key, _ := c.Locals(keyLocal).(access.Key)
	r := exportRequest{form: f, isAdmin: key.Role == access.RoleAdmin,
		raw: c.Query("raw") == "true", withText: c.Query("include_text") == "true"}
	if (r.raw || r.withText) && !r.isAdmin {
		return r, newError(fiber.StatusForbidden, "forbidden")
	}
	return r, nil
}

// export streams responses as CSV, one row as it is read from the store,
// so memory stays flat whatever the size. Citizen rows come through the
// indicators service, k-anonymous; partner rows only from closed waves,
// without the rater and without the ratings of named partners. An admin
// may ask for raw rows (?raw=true), which the audit log records.
func (s *server) export(store ExportStore, partnerships PartnershipStore, formStore FormStore, partnershipScoped bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		req, err := s.exportRequestOf(c, formStore)
		if err != nil {
			return err
		}
		f := req.form
		pid := ""
		if partnershipScoped {
			pid = c.Params("pid")
			if _, err := partnerships.Partnership(c.UserContext(), pid); err != nil {
				return storeError(err, "partnership_not_found")
			}
		}
		all, err := partnerships.Partnerships(c.UserContext())
		if err != nil {
			return errUnavailable(err)
		}
		if req.raw {
			if err := s.audit(c, partnerships, actor(c), "export.raw", pid, f.ID); err != nil {
				return err
			}
		}
		// What protects the rows loads before the first byte: a failing
		// store is a 503, not an export cut short.
		var citizens *indicators.Export
		var partners *indicators.PartnerExport
		switch {
		case req.raw:
		case f.Kind == forms.KindPartner:
			partners, err = s.indicators.PartnerExport(c.UserContext(), f, all, pid)
		default:
			citizens, err = s.indicators.Export(c.UserContext(), f, all, pid)
		}
		if err != nil {
			return indicatorError(err)
		}
		cols := exportColumns(f, req.withText, req.raw)
		wave := c.Query("wave")
		header := make([]string, len(cols))
		for i, col := range cols {
			header[i] = col.name
		}
		c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
		c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="%s.csv"`, f.ID))
		logger := s.Logger
		c.Context().SetBodyStreamWriter(func(bw *bufio.Writer) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
			defer cancel()
			line, _ := csvLine(header)
			_, _ = bw.WriteString(line)
			rows := 0
			emit := func(line string) error {
				if _, err := bw.WriteString(line); err != nil {
					return err
				}
				// Send in chunks: enough to keep memory low, few enough to stay fast.
				if rows++; rows%1000 == 0 {
					return bw.Flush()
				}
				return nil
			}
			encode := func(r indicators.Row) (string, error) { return csvLine(exportRecord(cols, r)) }
			var err error
			switch {
			case req.raw:
				err = store.EachResponse(ctx, f.ID, pid, wave, func(r forms.Response) error {
					line, err := encode(indicators.Row{Response: r})
					if err != nil {
						return err
					}
					return emit(line)
				})
			case partners != nil:
				err = partners.Write(ctx, store, wave, encode, emit)
			default:
				err = citizens.Write(ctx, store, wave, encode, emit)
			}
			if err != nil {
				logger.Error("export stopped", "form", f.ID, "err", err)
			}
		})
		return nil
	}
}

// exportRecord is a row's CSV cells.
func exportRecord(cols []exportColumn, r indicators.Row) []string {
	row := make([]string, len(cols))
	for i, col := range cols {
		switch {
		case col.field != nil:
			row[i] = col.field(r)
		case col.item != nil:
			row[i] = exportValue(r.Answers[col.item.ID])
		default:
			if v, ok := r.Scores[col.scale.ID]; ok {
				row[i] = forms.FormatNumber(v)
			}
		}
	}
	return sheet.Row(row)
}

// csvLine encodes one CSV record with its line end.
func csvLine(record []string) (string, error) {
	var b strings.Builder
	w := csv.NewWriter(&b)
	if err := w.Write(record); err != nil {
		return "", err
	}
	w.Flush()
	return b.String(), w.Error()
}

// dataPackage describes an export's columns as a Frictionless Data
// tabular data package, so that R, Python and spreadsheets read it typed.
func (s *server) dataPackage(formStore FormStore, partnershipScoped bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		req, err := s.exportRequestOf(c, formStore)
		if err != nil {
			return err
		}
		f := req.form
		path := "/api/v1/export/" + f.ID + ".csv"
		if req.raw {
			path += "?raw=true"
		}
		if partnershipScoped {
			path = "/api/v1/partnerships/" + c.Params("pid") + "/export.csv?form=" + f.ID
		}
		var fields []fiber.Map
		for _, col := range exportColumns(f, req.withText, req.raw) {
			field := fiber.Map{"name": col.name, "type": "string"}
			switch {
			case col.name == "day":
				field["type"] = "date"
			case col.name == "month":
				field["type"], field["format"] = "string", "YYYY-MM"
				field["description"] = "month answered; " + generalisedNote
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
					if !req.raw && slices.Contains(f.QuasiIdentifiers, col.item.ID) {
						values = append(values, indicators.Generalised)
						field["description"] = col.item.Text["da"] + "; " + generalisedNote
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
			"profile":     "tabular-data-package",
			"name":        "samspil-" + strings.ReplaceAll(f.ID, "_", "-"),
			"title":       f.Title.In("en", f.DefaultLanguage),
			"description": exportProtection(f, req.raw) + " " + formulaNote,
			"resources": []fiber.Map{{
				"name": strings.ReplaceAll(f.ID, "_", "-"), "path": s.baseURL(c) + path, "profile": "tabular-data-resource",
				"format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
				"schema": fiber.Map{"fields": fields, "missingValues": []string{""}},
			}},
		})
	}
}

// formulaNote says in the data package how text that a spreadsheet would
// run is written.
const formulaNote = "A text cell that starts with =, +, -, @, a tab or a carriage return and is not a number starts with an apostrophe (') so that spreadsheets show it instead of running it as a formula (OWASP CSV injection); remove the first character to read what was typed."

// exportProtection says in the data package how its rows are protected.
func exportProtection(f *forms.Form, raw bool) string {
	switch {
	case raw:
		return "Raw rows, asked for by an admin and recorded in the audit log: every response, with its day and language."
	case f.Kind == forms.KindPartner:
		return "Answers of partner waves that have closed, in sorted order, without the rater, the day or the roster of partners worked with (the network map shows the roster; here it would tell whose row a row is)."
	}
	return "k-anonymous rows: released months only, each row one of at least the partnership's minimum group of rows that agree on month, wave, activity and " +
		strings.Join(f.QuasiIdentifiers, ", ") + ` ("*" where such a group does not share one value). ` +
		"Answers to an index or question that fewer than the minimum group in a row's group answered are blank, as they are in every published figure; the language answered in is left out."
}
