package web

import (
	"strings"
	"time"
)

// renameFields maps a service's field names (options[2].text,
// answer.value) onto a form's (options, value): the longest prefix that
// names a form field wins (questions[0].options before questions[0]).
func renameFields(m map[string]string, names map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		to, best := k, -1
		for from, field := range names {
			if strings.HasPrefix(k, from) && len(from) > best {
				to, best = field, len(from)
			}
		}
		if _, dup := out[to]; !dup {
			out[to] = v
		}
	}
	return out
}

// formOutcome sorts a service's answer to a form: field errors, renamed
// onto the form's fields, come back to be shown beside them; any other
// error comes back as it is, for the handler to return.
func formOutcome(err error, names map[string]string) (map[string]string, error) {
	if m, ok := formErrors(err); ok {
		return renameFields(m, names), nil
	}
	return nil, err
}

// lines splits a textarea into its non-blank lines.
func lines(s string) []string {
	out := []string{}
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// dateTimeLocal is the value format of an <input type="datetime-local">;
// the pages label those fields, and read them, as UTC.
const dateTimeLocal = "2006-01-02T15:04"

// utcTime reads a datetime-local field.
func utcTime(fe map[string]string, name, v string) time.Time {
	t, err := time.ParseInLocation(dateTimeLocal, strings.TrimSpace(v), time.UTC)
	if err != nil {
		fe[name] = "Enter a date and time"
	}
	return t
}
