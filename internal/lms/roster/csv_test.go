package roster

import (
	"archive/zip"
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Spreadsheet exports: a BOM, CRLF line ends, columns in any order,
// unknown columns, quoted commas and a quoted line break (which moves the
// following rows' line numbers, as a spreadsheet counts them).
func TestRosterReadTableSpreadsheetQuirks(t *testing.T) {
	t.Parallel()
	data := "\xef\xbb\xbftitle,extra,sourcedId,schoolSourcedId\r\n" +
		"\"Maths, Set 1\",x,c1,s\r\n" +
		"\"Two\r\nlines\",,c2,s\r\n" +
		"Art,,c3,s\r\n"
	tb, issues := readTable("classes.csv", []byte(data), "sourcedId", "title")
	require.Empty(t, issues)
	require.Len(t, tb.rows, 3)
	require.Equal(t, "Maths, Set 1", tb.get(tb.rows[0], "title"))
	require.Equal(t, "c1", tb.get(tb.rows[0], "sourcedId"))
	require.Equal(t, []int{2, 3, 5}, []int{tb.rows[0].line, tb.rows[1].line, tb.rows[2].line})
	require.Equal(t, "", tb.get(tb.rows[0], "status"), "a column the file lacks reads empty")
}

func TestRosterReadTableRefusesWhatIsNotCSV(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		data  string
		line  int
		field string
	}{
		"duplicate column": {"sourcedId,title,title\n", 1, ""},
		"missing column":   {"title\nx\n", 1, "sourcedId"},
		"header case":      {"SourcedId,title\nx,y\n", 1, "sourcedId"},
		"latin-1":          {"sourcedId,title\nc1,ok\nc2,caf\xe9\n", 3, ""},
		"NUL":              {"sourcedId,title\nc1,a\x00b\n", 0, ""},
		"bare quote":       {"sourcedId,title\nc1,a\"b\n", 2, ""},
		"short row":        {"sourcedId,title\nc1,a\nc2\n", 3, ""},
		"empty":            {"", 1, ""},
	} {
		tb, issues := readTable("classes.csv", []byte(tc.data), "sourcedId", "title")
		require.Nil(t, tb, name)
		require.NotEmpty(t, issues, name)
		require.Equal(t, tc.line, issues[0].Line, name)
		require.Equal(t, tc.field, issues[0].Field, name)
		require.NotContains(t, issues[0].Message, "caf", name)
	}
	big := "sourcedId,title\n" + strings.Repeat("c,t\n", MaxRows+1)
	_, issues := readTable("classes.csv", []byte(big), "sourcedId")
	require.Contains(t, issues[0].Message, "rows")
}

// Row checks: enums, lists, duplicates, and roles we do not import.
func TestRosterParseRows(t *testing.T) {
	t.Parallel()
	p := parse(map[string][]byte{
		UsersFile: []byte("sourcedId,status,enabledUser,username,givenName,familyName,email,role,orgSourcedIds\n" +
			"u1,,yes,ann,Ann,A,,student,s\n" + // enabledUser
			"u2,gone,,bob,Bob,B,,student,s\n" + // status
			"u3,,,Ann,Ann,C,,student,s\n" + // username repeats line 2 (case-insensitively)
			"u4,,,dan,Dan,D,,student,\n" + // role without an org
			"u5,,,eve,Eve,E,,\"teacher,guardian\",\"s,t\"\n" + // two roles, two orgs; guardian skipped
			"u6,,,gus,Gus,G,,guardian,s\n" + // guardian only: skipped user
			"u7,,,hal,Hal,H,,wizard,s\n" + // unknown role
			"u1,,,ivy,Ivy,I,,student,s\n"), // sourcedId repeats
	})
	var got []string
	for _, is := range p.errors {
		got = append(got, is.Field+"@"+string(rune('0'+is.Line)))
	}
	require.ElementsMatch(t, []string{"enabledUser@2", "status@3", "username@4", "orgSourcedIds@5", "role@8", "sourcedId@9"}, got)
	require.Equal(t, 0, p.nWarnings) // guardians are not warned of row by row: guardians.go says once how many it skipped
	require.Equal(t, 1, p.counts.People.Skipped)
	var eve []string
	for _, r := range p.roles {
		if r.user == "u5" {
			eve = append(eve, string(r.role)+"@"+r.org)
		}
	}
	require.Equal(t, []string{"teacher@s", "teacher@t"}, eve)
	for _, u := range p.users {
		require.NotEqual(t, "u6", u.sourcedID)
	}
}

// A zip bomb stops at the per-file limit instead of filling memory.
func TestRosterUnzipLimits(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create("users.csv")
	require.NoError(t, err)
	zeros := make([]byte, 1<<20)
	for i := 0; i <= MaxFileBytes>>20; i++ {
		_, _ = w.Write(zeros)
	}
	require.NoError(t, zw.Close())
	require.Less(t, buf.Len(), 1<<20)
	_, err = Unzip("file", buf.Bytes())
	require.ErrorContains(t, err, "larger than")
	_, err = Unzip("file", []byte("PK nonsense"))
	require.ErrorContains(t, err, "not a zip")

	// Members each under the per-file limit stop at the limit on them all
	// together (three of 60 MiB in a zip of a few hundred KiB).
	buf.Reset()
	zw = zip.NewWriter(&buf)
	for _, name := range []string{UsersFile, ClassesFile, EnrollmentsFile} {
		w, err := zw.Create(name)
		require.NoError(t, err)
		for i := 0; i < 60; i++ {
			_, _ = w.Write(zeros)
		}
	}
	require.NoError(t, zw.Close())
	require.Less(t, buf.Len(), 1<<20)
	_, err = Unzip("file", buf.Bytes())
	require.ErrorContains(t, err, "together once unzipped")
}
