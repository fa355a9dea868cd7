package roster

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/schoolcloud/lms/internal/platform/errs"
)

// table is one CSV file: its header and data rows, each with the line on
// which it starts (a quoted field may span lines).
type table struct {
	file string
	cols map[string]int
	rows []row
}

type row struct {
	line int
	vals []string
}

// has reports whether the file has a column.
func (t *table) has(col string) bool { _, ok := t.cols[col]; return ok }

// get is a row's trimmed value in col, "" when the file has no such column.
func (t *table) get(r row, col string) string {
	i, ok := t.cols[col]
	if !ok {
		return ""
	}
	return strings.TrimSpace(r.vals[i])
}

// readTable reads one file. The first row is the header; column names are
// case-sensitive as in the spec, may come in any order, and columns we do
// not know are ignored. Problems that make the file unreadable are
// returned as issues and the table is nil.
func readTable(file string, data []byte, required ...string) (*table, []Issue) {
	bad := func(line int, format string, args ...any) (*table, []Issue) {
		return nil, []Issue{{File: file, Line: line, Message: fmt.Sprintf(format, args...)}}
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a UTF-8 BOM, as spreadsheets write
	if len(data) > MaxFileBytes {
		return bad(0, "is larger than %d MiB", MaxFileBytes>>20)
	}
	if !utf8.Valid(data) {
		return bad(firstInvalidLine(data), "is not UTF-8 text; save it as CSV UTF-8")
	}
	if bytes.IndexByte(data, 0) >= 0 {
		return bad(0, "contains NUL characters; it is not a text file")
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.ReuseRecord = false
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return bad(1, "is empty; the first line must be the header")
	}
	if err != nil {
		return bad(lineOf(err, 1), "header is not valid CSV: %s", csvReason(err))
	}
	t := &table{file: file, cols: map[string]int{}}
	for i, h := range header {
		h = strings.TrimSpace(h)
		if h == "" {
			continue
		}
		if _, dup := t.cols[h]; dup {
			return bad(1, "column %q appears twice in the header", h)
		}
		t.cols[h] = i
	}
	var missing []Issue
	for _, c := range required {
		if !t.has(c) {
			missing = append(missing, Issue{File: file, Line: 1, Field: c, Message: "required column is missing from the header"})
		}
	}
	if len(missing) > 0 {
		return nil, missing
	}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return t, nil
		}
		if err != nil {
			return bad(lineOf(err, 0), "is not valid CSV: %s", csvReason(err))
		}
		if len(t.rows) == MaxRows {
			return bad(0, "has more than %d rows; split it", MaxRows)
		}
		line, _ := r.FieldPos(0)
		t.rows = append(t.rows, row{line: line, vals: rec})
	}
}

// lineOf is the line a csv error points at.
func lineOf(err error, fallback int) int {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.StartLine
	}
	return fallback
}

// csvReason words a csv error without echoing the row.
func csvReason(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		switch {
		case errors.Is(pe.Err, csv.ErrFieldCount):
			return "the row has a different number of fields from the header"
		case errors.Is(pe.Err, csv.ErrQuote), errors.Is(pe.Err, csv.ErrBareQuote):
			return "a quote is out of place (quote fields that contain quotes, commas or line breaks, and double the quotes inside)"
		}
		return pe.Err.Error()
	}
	return "unreadable"
}

func firstInvalidLine(data []byte) int {
	line := 1
	for len(data) > 0 {
		r, n := utf8.DecodeRune(data)
		if r == utf8.RuneError && n <= 1 {
			return line
		}
		if r == '\n' {
			line++
		}
		data = data[n:]
	}
	return line
}

// check validates one value: required, at most max characters, no control
// characters. It adds an issue and returns false when the value is bad.
func (p *plan) check(t *table, r row, col, v string, required bool, max int) bool {
	switch {
	case v == "" && required:
		p.fail(t.file, r.line, col, "is required")
	case len([]rune(v)) > max:
		p.fail(t.file, r.line, col, "must be at most %d characters", max)
	case errs.HasControl(v):
		p.fail(t.file, r.line, col, "must not contain control characters")
	default:
		return true
	}
	return false
}

// list splits a OneRoster list value ("a,b" inside one quoted field).
func list(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}
