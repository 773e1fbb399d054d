package extract

import (
	"time"

	"github.com/mosaic-intel/mosaic/internal/extract/rules"
)

// DocumentDate guesses the date a text was written from a full date
// (day, month and year) near its start, as news pages print it under the
// headline. It returns the zero time when there is none.
func DocumentDate(text string) time.Time {
	head := text
	if len(head) > 1500 {
		head = head[:1500]
	}
	for _, m := range rules.New().Find(head, time.Time{}) {
		if m.Type != DATE || len(m.Normalized) != len("2006-01-02") {
			continue
		}
		if t, err := time.Parse("2006-01-02", m.Normalized); err == nil {
			return t
		}
	}
	return time.Time{}
}
