package rules

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// monthNum returns 1..12 for a month name or abbreviation, 0 otherwise.
func monthNum(s string) int {
	s = strings.ToLower(strings.TrimSuffix(s, "."))
	if len(s) < 3 {
		return 0
	}
	for i, m := range [...]string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"} {
		if strings.HasPrefix(s, m) {
			return i + 1
		}
	}
	return 0
}

func dayNum(s string) int {
	s = strings.TrimRight(s, "stndrh")
	d, err := strconv.Atoi(s)
	if err != nil || d < 1 || d > 31 {
		return 0
	}
	return d
}

func ymd(y, m, d int) (string, bool) {
	if y < 1000 || m < 1 || m > 12 || d < 1 {
		return "", false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d {
		return "", false // 31 April
	}
	return t.Format("2006-01-02"), true
}

func normDMY(g []string, _ time.Time) (string, bool) {
	y, _ := strconv.Atoi(g[3])
	return ymd(y, monthNum(g[2]), dayNum(g[1]))
}

func normMDY(g []string, _ time.Time) (string, bool) {
	y, _ := strconv.Atoi(g[3])
	return ymd(y, monthNum(g[1]), dayNum(g[2]))
}

func normISO(g []string, _ time.Time) (string, bool) {
	y, _ := strconv.Atoi(g[1])
	m, _ := strconv.Atoi(g[2])
	d, _ := strconv.Atoi(g[3])
	return ymd(y, m, d)
}

// normSlash reads d/m/y (the British and European order).
func normSlash(g []string, _ time.Time) (string, bool) {
	y, _ := strconv.Atoi(g[3])
	m, _ := strconv.Atoi(g[2])
	d, _ := strconv.Atoi(g[1])
	return ymd(y, m, d)
}

// inferYear picks the year of a day and month mentioned without one: the
// occurrence nearest the document date (news mostly looks back).
func inferYear(m, d int, doc time.Time) (string, bool) {
	if doc.IsZero() {
		if d == 0 {
			return fmt.Sprintf("XXXX-%02d", m), true
		}
		return fmt.Sprintf("XXXX-%02d-%02d", m, d), true
	}
	y := doc.Year()
	dd := d
	if dd == 0 {
		dd = 1
	}
	cand := time.Date(y, time.Month(m), dd, 0, 0, 0, 0, time.UTC)
	// More than about four months ahead of the document means last year.
	if cand.Sub(doc) > 120*24*time.Hour {
		y--
	}
	if d == 0 {
		return fmt.Sprintf("%04d-%02d", y, m), true
	}
	return ymd(y, m, d)
}

func normDM(g []string, doc time.Time) (string, bool) {
	m, d := monthNum(g[2]), dayNum(g[1])
	if m == 0 || d == 0 {
		return "", false
	}
	return inferYear(m, d, doc)
}

func normMD(g []string, doc time.Time) (string, bool) {
	m, d := monthNum(g[1]), dayNum(g[2])
	if m == 0 || d == 0 {
		return "", false
	}
	// "May 5" is a date, but "may 5" is not: require a capital.
	if g[1][0] < 'A' || g[1][0] > 'Z' {
		return "", false
	}
	return inferYear(m, d, doc)
}

func normMY(g []string, _ time.Time) (string, bool) {
	m := monthNum(g[1])
	y, _ := strconv.Atoi(g[2])
	if m == 0 {
		return "", false
	}
	return fmt.Sprintf("%04d-%02d", y, m), true
}

func normMonthOnly(g []string, doc time.Time) (string, bool) {
	m := monthNum(g[1])
	if m == 0 {
		return "", false
	}
	return inferYear(m, 0, doc)
}

func normDecade(g []string, _ time.Time) (string, bool) {
	return g[1][:3] + "X", true // ISO 8601 decade: "199X"
}

func normYear(g []string, _ time.Time) (string, bool) { return g[1], true }

func normDeixis(g []string, doc time.Time) (string, bool) {
	if doc.IsZero() {
		return "", true
	}
	switch strings.ToLower(g[1]) {
	case "yesterday":
		doc = doc.AddDate(0, 0, -1)
	case "tomorrow":
		doc = doc.AddDate(0, 0, 1)
	}
	return doc.Format("2006-01-02"), true
}

func weekdayNum(s string) (time.Weekday, bool) {
	s = strings.ToLower(s)
	for i, w := range [...]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"} {
		if strings.HasPrefix(s, w) {
			return time.Weekday(i), true
		}
	}
	return 0, false
}

// isoWeek formats the ISO week of t ("2017-W21").
func isoWeek(t time.Time) string {
	y, w := t.ISOWeek()
	return fmt.Sprintf("%04d-W%02d", y, w)
}

func normLastNext(g []string, doc time.Time) (string, bool) {
	if doc.IsZero() {
		return "", true
	}
	dir := 0
	switch strings.ToLower(g[1]) {
	case "last", "previous", "past":
		dir = -1
	case "next", "coming":
		dir = 1
	}
	unit := strings.ToLower(g[2])
	switch unit {
	case "week":
		return isoWeek(doc.AddDate(0, 0, 7*dir)), true
	case "weekend":
		return isoWeek(doc.AddDate(0, 0, 7*dir)) + "-WE", true
	case "month":
		t := time.Date(doc.Year(), doc.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, dir, 0)
		return t.Format("2006-01"), true
	case "year":
		return strconv.Itoa(doc.Year() + dir), true
	case "spring", "summer", "autumn", "winter":
		code := map[string]string{"spring": "SP", "summer": "SU", "autumn": "FA", "winter": "WI"}[unit]
		return strconv.Itoa(doc.Year()+dir) + "-" + code, true
	}
	if wd, ok := weekdayNum(unit); ok {
		return weekdayFrom(doc, wd, dir), true
	}
	return "", false
}

// weekdayFrom returns the date of weekday wd: the last one on or before
// doc for dir <= 0 ("on Tuesday" in news), the next one after doc for dir > 0.
func weekdayFrom(doc time.Time, wd time.Weekday, dir int) string {
	if dir > 0 {
		d := (int(wd) - int(doc.Weekday()) + 7) % 7
		if d == 0 {
			d = 7
		}
		return doc.AddDate(0, 0, d).Format("2006-01-02")
	}
	d := (int(doc.Weekday()) - int(wd) + 7) % 7
	if dir < 0 && d == 0 {
		d = 7
	}
	return doc.AddDate(0, 0, -d).Format("2006-01-02")
}

func normWeekday(g []string, doc time.Time) (string, bool) {
	wd, ok := weekdayNum(g[1])
	if !ok {
		return "", false
	}
	if doc.IsZero() {
		return "", true
	}
	return weekdayFrom(doc, wd, 0), true
}

var smallNums = map[string]int{
	"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
	"eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
	"thirty": 30, "forty": 40, "fifty": 50, "a couple of": 2, "a few": 3, "several": 3,
}

// ParseCount reads a figure written in digits or as a small number word.
func ParseCount(s string) (int, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if n, ok := smallNums[s]; ok {
		return n, true
	}
	n, err := strconv.Atoi(strings.ReplaceAll(s, ",", ""))
	return n, err == nil
}

// normAgo resolves "three weeks ago" and "two years earlier" against the
// document date. "N units before/after" an event cannot be resolved here
// (the anchor is the event, not the document): it is kept with an empty
// normalisation so that callers can anchor it.
func normAgo(g []string, doc time.Time) (string, bool) {
	n, ok := ParseCount(g[1])
	if !ok {
		return "", false
	}
	rel := strings.ToLower(g[3])
	if doc.IsZero() || rel == "before" || rel == "after" {
		return "", true
	}
	if rel == "later" {
		return "", true
	}
	return Shift(doc, -n, g[2]), true
}

// Shift moves t by n units ("day", "weeks", "months"...) and formats the
// result at the precision of the unit.
func Shift(t time.Time, n int, unit string) string {
	unit = strings.TrimSuffix(strings.ToLower(unit), "s")
	switch unit {
	case "minute", "hour", "day":
		if unit != "day" {
			return t.Format("2006-01-02")
		}
		return t.AddDate(0, 0, n).Format("2006-01-02")
	case "week":
		return isoWeek(t.AddDate(0, 0, 7*n))
	case "month":
		return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, n, 0).Format("2006-01")
	case "year":
		return strconv.Itoa(t.Year() + n)
	case "decade":
		return strconv.Itoa((t.Year()+10*n)/10) + "X"
	}
	return ""
}
