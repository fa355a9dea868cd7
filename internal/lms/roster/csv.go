package roster

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"iter"
	"strings"
	"unicode/utf8"

	"github.com/schoolcloud/lms/internal/platform/errs"
)

// table is one CSV file of an upload: its header, and its data rows read
// again from the source each time they are asked for (rows), so an
// import holds the typed rows it keeps, never a file's text or its raw
// records. readTable has read the whole file once to check it, so the
// later passes meet no syntax error.
type table struct {
	file string
	cols map[string]int
	open func() (io.ReadCloser, error)
	n    int // data rows, counted by the checking pass
}

type row struct {
	line int
	vals []string
}

// has reports whether the file has a column.
func (t *table) has(col string) bool { _, ok := t.cols[col]; return ok }

// get is a row's trimmed value in col, "" when the file has no such column.
// The value is copied out of the row's record, so a kept value does not
// keep the whole line alive.
func (t *table) get(r row, col string) string {
	i, ok := t.cols[col]
	if !ok {
		return ""
	}
	return strings.Clone(strings.TrimSpace(r.vals[i]))
}

// rows reads the data rows, each with the line on which it starts (a
// quoted field may span lines). The record slice is reused from row to
// row: keep values through get.
func (t *table) rows() iter.Seq[row] {
	return func(yield func(row) bool) {
		rc, err := t.open()
		if err != nil {
			return
		}
		defer rc.Close()
		r := newCSV(rc)
		if _, err := r.Read(); err != nil {
			return
		}
		for {
			rec, err := r.Read()
			if err != nil {
				return // io.EOF; the checking pass reported any other error
			}
			line, _ := r.FieldPos(0)
			if !yield(row{line: line, vals: rec}) {
				return
			}
		}
	}
}

// newCSV reads a file past a UTF-8 byte-order mark, as spreadsheets write.
func newCSV(rc io.Reader) *csv.Reader {
	br := bufio.NewReaderSize(rc, 64<<10)
	if bom, err := br.Peek(3); err == nil && bytes.Equal(bom, []byte("\xef\xbb\xbf")) {
		_, _ = br.Discard(3)
	}
	r := csv.NewReader(br)
	r.ReuseRecord = true
	return r
}

// readTable checks one file in a first pass over it, keeping nothing but
// its header: the first row is the header; column names are
// case-sensitive as in the spec, may come in any order, and columns we do
// not know are ignored. Problems that make the file unreadable (not
// UTF-8, NUL characters, bad CSV, too big or too long, a required column
// missing) are returned as issues and the table is nil.
func readTable(file string, open func() (io.ReadCloser, error), required ...string) (*table, []Issue) {
	bad := func(line int, format string, args ...any) (*table, []Issue) {
		return nil, []Issue{{File: file, Line: line, Message: fmt.Sprintf(format, args...)}}
	}
	rc, err := open()
	if err != nil {
		return bad(0, "cannot be read: %s", err)
	}
	defer rc.Close()
	lim := &io.LimitedReader{R: rc, N: MaxFileBytes + 3 + 1} // the limit counts the text, not a BOM
	r := newCSV(lim)
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return bad(1, "is empty; the first line must be the header")
	}
	if issue, stop := recordProblem(file, r, header, err, 1); stop {
		if lim.N <= 0 {
			return bad(0, "is larger than %d MiB", MaxFileBytes>>20)
		}
		issue.Message = strings.Replace(issue.Message, "is not valid CSV", "header is not valid CSV", 1)
		return nil, []Issue{issue}
	}
	t := &table{file: file, cols: map[string]int{}, open: open}
	for i, h := range header {
		h = strings.TrimSpace(h)
		if h == "" {
			continue
		}
		if _, dup := t.cols[h]; dup {
			return bad(1, "column %q appears twice in the header", h)
		}
		t.cols[strings.Clone(h)] = i
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
	for n := 0; ; n++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			if lim.N <= 0 {
				return bad(0, "is larger than %d MiB", MaxFileBytes>>20)
			}
			t.n = n
			return t, nil
		}
		if issue, stop := recordProblem(file, r, rec, err, 0); stop {
			if lim.N <= 0 {
				return bad(0, "is larger than %d MiB", MaxFileBytes>>20)
			}
			return nil, []Issue{issue}
		}
		if n == MaxRows {
			return bad(0, "has more than %d rows; split it", MaxRows)
		}
	}
}

// recordProblem words what makes a record unreadable: a CSV error, text
// that is not UTF-8, a NUL character.
func recordProblem(file string, r *csv.Reader, rec []string, err error, fallback int) (Issue, bool) {
	if err != nil {
		return Issue{File: file, Line: lineOf(err, fallback), Message: "is not valid CSV: " + csvReason(err)}, true
	}
	for i, v := range rec {
		line, _ := r.FieldPos(i)
		if !utf8.ValidString(v) {
			return Issue{File: file, Line: line, Message: "is not UTF-8 text; save it as CSV UTF-8"}, true
		}
		if strings.IndexByte(v, 0) >= 0 { // the whole file, as before: a binary file has no useful line
			return Issue{File: file, Message: "contains NUL characters; it is not a text file"}, true
		}
	}
	return Issue{}, false
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
