// Package csvsafe keeps text written to a spreadsheet file from being read
// as a formula (CSV injection): a cell that starts with = + - or @ gets a
// leading apostrophe, which spreadsheets show as text.
package csvsafe

// Cell returns s safe to write as one CSV cell.
func Cell(s string) string {
	if s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@') {
		return "'" + s
	}
	return s
}
