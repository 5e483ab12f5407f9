package i18n

import (
	"fmt"
	"strconv"
	"time"
)

var danishMonths = [...]string{"januar", "februar", "marts", "april", "maj", "juni", "juli", "august",
	"september", "oktober", "november", "december"}

// LongDate writes a day as people reading lang write it in a letter: in
// words in Danish and English (15. december 2026, 15 December 2026), in
// figures otherwise. t is already in the zone it is a day of.
func LongDate(lang string, t time.Time) string {
	switch lang {
	case "da":
		return fmt.Sprintf("%d. %s %d", t.Day(), danishMonths[t.Month()-1], t.Year())
	case "en":
		return t.Format("2 January 2006")
	case "ar":
		return t.Format("02/01/2006")
	}
	return t.Format("02.01.2006")
}

// Month names a month as people write it: juni 2026, or June 2026.
func Month(lang string, t time.Time) string {
	if lang == "da" {
		return danishMonths[t.Month()-1] + " " + strconv.Itoa(t.Year())
	}
	return t.Format("January 2006")
}
