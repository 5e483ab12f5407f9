package partnership

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// ImportRow is one row of a partner import: the partner it describes and
// what is wrong with it.
type ImportRow struct {
	Row      int
	Partner  Partner
	Problems []Problem
}

// ErrImportHeader is returned when a partner file does not start with the
// columns name, sector and email.
var ErrImportHeader = errors.New("the first line must name the columns name,sector,email")

// ParsePartnerCSV reads partners from a spreadsheet export with the columns
// name, sector and email. It accepts what spreadsheets write: UTF-8 with or
// without a byte order mark, UTF-16, or Windows-1252 (Danish Excel's
// default), commas or semicolons, and any line endings. Every row comes
// back with its problems, including names used twice in the file.
func ParsePartnerCSV(data []byte) ([]ImportRow, error) {
	text, err := DecodeText(data)
	if err != nil {
		return nil, err
	}
	text = strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\r", "\n")
	header, _, _ := strings.Cut(text, "\n")
	r := csv.NewReader(strings.NewReader(text))
	switch {
	case strings.Count(header, "\t") > max(strings.Count(header, ";"), strings.Count(header, ",")):
		r.Comma = '\t'
	case strings.Count(header, ";") > strings.Count(header, ","):
		r.Comma = ';'
	}
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	records, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("read partner file: %w", err)
	}
	if len(records) == 0 {
		return nil, ErrImportHeader
	}
	cols := map[string]int{}
	for i, h := range records[0] {
		h = strings.ToLower(strings.TrimSpace(h))
		if en, ok := danishColumns[h]; ok {
			h = en
		}
		cols[h] = i
	}
	for _, need := range []string{"name", "sector"} {
		if _, ok := cols[need]; !ok {
			return nil, ErrImportHeader
		}
	}
	cell := func(rec []string, col string) string {
		i, ok := cols[col]
		if !ok || i >= len(rec) {
			return ""
		}
		return strings.TrimSpace(rec[i])
	}
	var rows []ImportRow
	seen := map[string]int{}
	for i, rec := range records[1:] {
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // a blank line
		}
		row := ImportRow{Row: i + 2, Partner: Partner{Name: cell(rec, "name"),
			Sector: sectorNamed(cell(rec, "sector")), Email: cell(rec, "email"), Active: true}}
		row.Problems = row.Partner.Check()
		key := NameKey(row.Partner.Name)
		if first, dup := seen[key]; dup && key != "" {
			row.Problems = append(row.Problems, problem("name", "duplicate_in_file", map[string]any{"Row": first}))
		} else {
			seen[key] = row.Row
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// danishColumns are the Danish names of the columns, as a Danish
// spreadsheet's template may have them.
var danishColumns = map[string]string{"navn": "name", "sektor": "sector", "e-mail": "email", "email-adresse": "email", "mail": "email"}

// danishSectors are the sectors' Danish names, as the console shows them.
var danishSectors = map[string]Sector{"offentlig": Public, "civilsamfund": Civil, "forening": Civil, "privat": Private,
	"borgergruppe": CitizenGroup, "sekretariat": Backbone}

// sectorNamed reads a sector by its code or its Danish name.
func sectorNamed(v string) Sector {
	v = strings.ToLower(strings.TrimSpace(v))
	if s, ok := danishSectors[v]; ok {
		return s
	}
	return Sector(v)
}

// DecodeText turns a file into text whatever encoding a spreadsheet
// chose: UTF-8 with or without a byte order mark, UTF-16, or
// Windows-1252. A page that shows a file and posts it back for
// confirmation posts this text, which is UTF-8 like the page.
func DecodeText(data []byte) (string, error) {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		return string(data[3:]), nil
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		dec := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewDecoder()
		out, err := io.ReadAll(transform.NewReader(bytes.NewReader(data), dec))
		if err != nil {
			return "", fmt.Errorf("decode UTF-16 partner file: %w", err)
		}
		return string(out), nil
	case utf8.Valid(data):
		return string(data), nil
	}
	out, err := charmap.Windows1252.NewDecoder().Bytes(data)
	if err != nil {
		return "", fmt.Errorf("decode partner file: %w", err)
	}
	return string(out), nil
}

// PlanImport checks parsed rows against the partnership's existing
// partners (a name in use is a problem too) and makes the partners the
// good rows describe, ready to store. The caller stores them only when
// rejected is zero: an import is all or nothing.
func PlanImport(rows []ImportRow, existing []Partner, pid string, now time.Time) (partners []Partner, rejected int) {
	taken := map[string]bool{}
	for _, p := range existing {
		taken[NameKey(p.Name)] = true
	}
	for i, r := range rows {
		if taken[NameKey(r.Partner.Name)] {
			rows[i].Problems = append(rows[i].Problems, Problem{Field: "name", Code: "duplicate_name"})
		}
		if len(rows[i].Problems) > 0 {
			rejected++
			continue
		}
		p := r.Partner
		p.ID, p.Partnership, p.JoinedAt = NewID("pt"), pid, now.UTC().Truncate(time.Second)
		rows[i].Partner = p
		partners = append(partners, p)
	}
	return partners, rejected
}
