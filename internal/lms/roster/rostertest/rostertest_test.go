package rostertest_test

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/lms/roster/rostertest"
)

// read parses one generated file and checks what every file must have: a
// BOM, CRLF line ends only, and exactly the declared header.
func read(t *testing.T, name string, b []byte) []map[string]string {
	t.Helper()
	require.True(t, bytes.HasPrefix(b, []byte("\xef\xbb\xbf")), "%s starts with a byte-order mark", name)
	require.True(t, bytes.HasSuffix(b, []byte("\r\n")), "%s ends its last line with CRLF", name)
	require.Equal(t, bytes.Count(b, []byte("\n")), bytes.Count(b, []byte("\r\n")), "%s: every line ends in CRLF", name)
	r := csv.NewReader(bytes.NewReader(b[3:]))
	recs, err := r.ReadAll()
	require.NoError(t, err, name)
	require.Equal(t, rostertest.Headers[name], recs[0], name)
	var out []map[string]string
	for _, rec := range recs[1:] {
		m := map[string]string{}
		for i, h := range recs[0] {
			m[h] = rec[i]
		}
		out = append(out, m)
	}
	return out
}

func TestExportIsRealistic(t *testing.T) {
	t.Parallel()
	o := rostertest.Options{Seed: 7}
	files := rostertest.Export(o)
	require.Len(t, files, 9)
	rows := map[string][]map[string]string{}
	for name, b := range files {
		rows[name] = read(t, name, b)
	}
	raw := string(files["users.csv"])
	for _, s := range []string{"Siân", "Zoë", "Łukasz", "O'Brien", "Nguyễn", `"Smith, Jr"`} {
		require.Contains(t, raw, s)
	}
	require.Contains(t, string(files["classes.csv"]), `", Set 1"`[1:], "class titles hold commas")
	require.Regexp(t, `"[0-9a-f-]{36},[0-9a-f-]{36},[0-9a-f-]{36}"`, string(files["classes.csv"]), "a year-long class lists three terms in one quoted field")

	// Orgs: a trust and two schools, GUIDs and DfE numbers.
	require.Len(t, rows["orgs.csv"], 3)
	require.Equal(t, "district", rows["orgs.csv"][0]["type"])
	for _, org := range rows["orgs.csv"][1:] {
		require.Equal(t, "school", org["type"])
		require.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, org["sourcedId"])
		require.Regexp(t, `^[0-9]{7}$`, org["identifier"])
		require.Equal(t, rows["orgs.csv"][0]["sourcedId"], org["parentSourcedId"])
	}
	require.Len(t, rows["academicSessions.csv"], 4)
	require.Len(t, rows["users.csv"], 1500)

	// Every reference resolves; guardians and children point at each other.
	users := map[string]map[string]string{}
	for _, u := range rows["users.csv"] {
		users[u["sourcedId"]] = u
	}
	roles := map[string]string{}
	for _, r := range rows["roles.csv"] {
		require.Contains(t, users, r["userSourcedId"])
		roles[r["userSourcedId"]] = r["role"]
	}
	guardians := 0
	for id, u := range users {
		for _, a := range strings.Split(u["agentSourcedIds"], ",") {
			if a == "" {
				continue
			}
			require.Contains(t, users[a]["agentSourcedIds"], id, "agents link both ways")
			if roles[id] != "student" {
				guardians++
				require.Equal(t, "student", roles[a])
			}
		}
	}
	require.Greater(t, guardians, 100)
	classes := map[string]bool{}
	for _, c := range rows["classes.csv"] {
		classes[c["sourcedId"]] = true
	}
	pairs := map[[2]string]bool{}
	for _, e := range rows["enrollments.csv"] {
		require.True(t, classes[e["classSourcedId"]])
		require.Contains(t, users, e["userSourcedId"])
		pair := [2]string{e["classSourcedId"], e["userSourcedId"]}
		require.False(t, pairs[pair], "no one is in a class twice")
		pairs[pair] = true
	}
	for _, d := range rows["demographics.csv"] {
		require.Equal(t, "student", roles[d["sourcedId"]])
		require.Regexp(t, `^20[0-9]{2}-[0-9]{2}-[0-9]{2}$`, d["birthDate"])
	}
	require.Len(t, rows["demographics.csv"], 1200)

	// The same options give the same bytes.
	again := rostertest.Export(o)
	for n := range files {
		require.Equal(t, files[n], again[n], n)
	}

	// The zip holds the same files.
	z, err := rostertest.Zip(files)
	require.NoError(t, err)
	zr, err := zip.NewReader(bytes.NewReader(z), int64(len(z)))
	require.NoError(t, err)
	require.Len(t, zr.File, 9)
}

func TestExportLeaversAndDelta(t *testing.T) {
	t.Parallel()
	full := rostertest.Generate(rostertest.Options{Seed: 3})
	left := rostertest.Generate(rostertest.Options{Seed: 3, Leavers: 20})
	require.Len(t, left.Leavers, 20)
	before := rostertest.Rows(full.BulkFiles())
	after := rostertest.Rows(left.BulkFiles())
	require.Less(t, after["users.csv"], before["users.csv"]-19)
	require.Less(t, after["enrollments.csv"], before["enrollments.csv"])
	require.Equal(t, before["demographics.csv"]-20, after["demographics.csv"])
	require.Equal(t, full.BulkFiles()["classes.csv"], left.BulkFiles()["classes.csv"], "leavers move no other record")
	users := string(left.BulkFiles()["users.csv"])
	for _, p := range left.Leavers {
		require.NotContains(t, users, p.SourcedID, "a leaver is absent, also from their guardians' agents")
	}

	d := rostertest.Generate(rostertest.Options{Seed: 3, Delta: 5})
	files := rostertest.Export(rostertest.Options{Seed: 3, Delta: 5})
	rows := map[string][]map[string]string{}
	for name, b := range files {
		rows[name] = read(t, name, b)
	}
	require.Contains(t, string(files["manifest.csv"]), "file.users,delta\r\n")
	require.Contains(t, string(files["manifest.csv"]), "file.orgs,absent\r\n")
	require.Len(t, rows["users.csv"], 6)
	ended := 0
	for _, e := range rows["enrollments.csv"] {
		require.NotEmpty(t, e["dateLastModified"])
		if e["status"] == "tobedeleted" {
			ended++
		}
	}
	require.Equal(t, 5, ended)
	require.Equal(t, d.DeltaRenamed[0].FamilyName, rows["users.csv"][0]["familyName"])
	require.Contains(t, d.DeltaRenamed[0].FamilyName, "-")
}
