package sheet

import "testing"

func TestCellNeutralisesFormulas(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`=HYPERLINK("http://evil.example","click")`, `'=HYPERLINK("http://evil.example","click")`},
		{"+45 12 34 56 78", "'+45 12 34 56 78"},
		{"-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"},
		{"@SUM(A1:A9)", "'@SUM(A1:A9)"},
		{"\t=1+1", "'\t=1+1"},
		{"\r=1+1", "'\r=1+1"},
		{"-1", "-1"},
		{"+2.5", "+2.5"},
		{"Røde Kors", "Røde Kors"},
		{"a=b", "a=b"},
		{"", ""},
	} {
		if got := Cell(tc.in); got != tc.want {
			t.Errorf("Cell(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func FuzzCell(f *testing.F) {
	f.Add("=1+1")
	f.Add("-1")
	f.Fuzz(func(t *testing.T, v string) {
		got := Cell(v)
		if got != "" && got[0] != '\'' && len(got) > 0 && (got[0] == '=' || got[0] == '@' || got[0] == '\t' || got[0] == '\r') {
			t.Errorf("Cell(%q) = %q still starts a formula", v, got)
		}
	})
}
