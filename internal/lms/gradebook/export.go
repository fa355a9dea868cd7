package gradebook

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/schoolcloud/lms/internal/platform/csvsafe"
)

// Text is a cell as the course's teachers read it in a table or a file: the
// score once marked, else the state in words ("" when there is nothing).
func (c Cell) Text() string {
	switch {
	case c.Score != nil:
		return Number(*c.Score)
	case c.State == StateHandedIn && c.Late:
		return "handed in late, not marked"
	}
	return c.State.Words()
}

// Number writes a score or an average without trailing zeros.
func Number(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// Heading is a column's heading in an export: its title and what it is
// out of.
func (c Column) Heading() string { return fmt.Sprintf("%s (out of %s)", c.Title, Number(c.MaxScore)) }

// Unreleased lists the titles of the row's marks its learner does not see
// yet.
func (g Grid) Unreleased(r Row) string {
	var out []string
	for i, c := range r.Cells {
		if c.State == StateMarked {
			out = append(out, g.Columns[i].Title)
		}
	}
	return strings.Join(out, "; ")
}

// Export headings besides the columns'.
const (
	headLearner    = "Learner"
	headPercent    = "Overall %"
	headUnreleased = "Marks not released"
	headAverage    = "Average"
)

// entry is one cell of an export: its text, and its number when it is one
// (scores, percentages, averages), which a workbook keeps as a number.
type entry struct {
	text       string
	num        *float64
	unreleased bool // a mark the learner does not see yet
}

func text(s string) entry { return entry{text: s} }

func number(v *float64) entry {
	if v == nil {
		return entry{}
	}
	return entry{text: Number(*v), num: v}
}

// table is the grid as an export's rows: a heading row, a row per learner
// and a row of averages.
func (g Grid) table() [][]entry {
	head := []entry{text(headLearner)}
	for _, c := range g.Columns {
		head = append(head, text(c.Heading()))
	}
	out := [][]entry{append(head, text(headPercent), text(headUnreleased))}
	for _, r := range g.Rows {
		line := []entry{text(r.DisplayName)}
		for _, c := range r.Cells {
			e := text(c.Text())
			if c.Score != nil {
				e = number(c.Score)
				e.unreleased = c.State == StateMarked
			}
			line = append(line, e)
		}
		out = append(out, append(line, number(r.Percent), text(g.Unreleased(r))))
	}
	avg := []entry{text(headAverage)}
	for _, c := range g.Columns {
		avg = append(avg, number(c.Average))
	}
	return append(out, append(avg, entry{}, entry{}))
}

// WriteCSV writes the grid as CSV. Every cell is guarded against being
// read as a formula (a name or title starting with = + - or @).
func (g Grid) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	for _, line := range g.table() {
		rec := make([]string, len(line))
		for i, e := range line {
			rec[i] = csvsafe.Cell(e.text)
		}
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("gradebook: csv: %w", err)
		}
	}
	cw.Flush()
	return cw.Error()
}

// SheetName is the XLSX export's one sheet.
const SheetName = "Gradebook"

// XLSXType is the media type of the XLSX export.
const XLSXType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// WriteXLSX writes the grid as an Excel workbook: scores, percentages and
// averages as numbers, the heading and average rows bold, marks not yet
// released italic (and listed in their own column). Text cells are
// strings, never formulas.
func (g Grid) WriteXLSX(w io.Writer) error {
	f := excelize.NewFile()
	defer func() { _ = f.Close() }()
	if err := g.fillSheet(f); err != nil {
		return fmt.Errorf("gradebook: xlsx: %w", err)
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("gradebook: xlsx: %w", err)
	}
	return nil
}

func (g Grid) fillSheet(f *excelize.File) error {
	if err := f.SetSheetName(f.GetSheetName(0), SheetName); err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	italic, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Italic: true, Color: "595959"}})
	if err != nil {
		return err
	}
	table := g.table()
	for y, line := range table {
		for x, e := range line {
			at, err := excelize.CoordinatesToCellName(x+1, y+1)
			if err != nil {
				return err
			}
			switch {
			case e.num != nil:
				err = f.SetCellFloat(SheetName, at, *e.num, -1, 64)
			default:
				err = f.SetCellStr(SheetName, at, e.text)
			}
			if err == nil && e.unreleased {
				err = f.SetCellStyle(SheetName, at, at, italic)
			}
			if err != nil {
				return fmt.Errorf("%s: %w", at, err)
			}
		}
	}
	end, err := excelize.CoordinatesToCellName(len(table[0]), 1)
	if err != nil {
		return err
	}
	avg := fmt.Sprintf("A%d", len(table))
	for _, e := range []error{
		f.SetCellStyle(SheetName, "A1", end, bold),
		f.SetCellStyle(SheetName, avg, avg, bold),
		f.SetColWidth(SheetName, "A", "A", 30),
		f.SetPanes(SheetName, &excelize.Panes{Freeze: true, XSplit: 1, YSplit: 1, TopLeftCell: "B2", ActivePane: "bottomRight"}),
	} {
		if e != nil {
			return e
		}
	}
	return nil
}
