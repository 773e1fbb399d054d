package resolve

import "strings"

// normDate normalises a date of birth to "YYYYMMDD", with "00" for an
// unknown month or day ("1975" -> "19750000"). It accepts YYYY-MM-DD,
// YYYY/MM/DD, YYYYMMDD, DD/MM/YYYY, DD.MM.YYYY, DD-MM-YYYY and YYYY. It
// returns "" for anything else. Two-digit years are not guessed.
func normDate(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "T "); i > 0 {
		s = s[:i] // drop a time of day
	}
	digits := func(x string) bool {
		if x == "" {
			return false
		}
		for i := 0; i < len(x); i++ {
			if x[i] < '0' || x[i] > '9' {
				return false
			}
		}
		return true
	}
	pad := func(x string) string {
		if len(x) == 1 {
			return "0" + x
		}
		return x
	}
	switch {
	case len(s) == 8 && digits(s):
		return validDate(s)
	case len(s) == 4 && digits(s):
		return validDate(s + "0000")
	}
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == '-' || r == '/' || r == '.' })
	if len(parts) != 3 {
		if len(parts) == 2 && len(parts[0]) == 4 && digits(parts[0]) && digits(parts[1]) && len(parts[1]) <= 2 {
			return validDate(parts[0] + pad(parts[1]) + "00")
		}
		return ""
	}
	for _, p := range parts {
		if !digits(p) {
			return ""
		}
	}
	switch {
	case len(parts[0]) == 4 && len(parts[1]) <= 2 && len(parts[2]) <= 2:
		return validDate(parts[0] + pad(parts[1]) + pad(parts[2]))
	case len(parts[2]) == 4 && len(parts[0]) <= 2 && len(parts[1]) <= 2:
		return validDate(parts[2] + pad(parts[1]) + pad(parts[0]))
	}
	return ""
}

func validDate(d string) string {
	if len(d) != 8 || d[:4] < "1000" {
		return ""
	}
	m, dd := d[4:6], d[6:8]
	if m > "12" || dd > "31" || (m == "00" && dd != "00") {
		return ""
	}
	return d
}
