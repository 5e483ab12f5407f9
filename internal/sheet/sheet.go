// Package sheet keeps spreadsheets from running what people typed. A cell
// that starts with =, +, -, @, a tab or a carriage return is read by
// Excel, LibreOffice and Google Sheets as a formula, so a free-text answer
// like =HYPERLINK(...) typed on a phone would run in the evaluator's
// spreadsheet. As OWASP recommends, such a cell gets a leading
// apostrophe, which spreadsheets show as text. Numbers (-1, +2.5) stay
// numbers.
package sheet

import (
	"strconv"
	"strings"
)

// Cell is v made safe to open in a spreadsheet.
func Cell(v string) string {
	if v == "" || !strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return v
	}
	if _, err := strconv.ParseFloat(v, 64); err == nil {
		return v
	}
	return "'" + v
}

// Row makes every cell of a record safe, in place, and returns it.
func Row(record []string) []string {
	for i, v := range record {
		record[i] = Cell(v)
	}
	return record
}
