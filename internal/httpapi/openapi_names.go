package httpapi

import (
	"strings"
	"unicode"

	"github.com/schoolcloud/lms/internal/lms/roster"
)

// operationID is camelCase from the method and the path without /api/v1
// and the tenant: GET /api/v1/t/:tenant/courses/:course/items becomes
// getCoursesByCourseItems. Generated clients name their methods after it.
func operationID(method, path string) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(method))
	for _, seg := range routeSegments(path) {
		if p, ok := strings.CutPrefix(seg, ":"); ok {
			b.WriteString("By")
			seg = p
		}
		for _, word := range strings.FieldsFunc(seg, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
			b.WriteString(strings.ToUpper(word[:1]) + word[1:])
		}
	}
	return b.String()
}

// routeSegments are a path's segments after /api/v1 and /t/:tenant.
func routeSegments(path string) []string {
	path = strings.TrimPrefix(path, v1)
	path = strings.TrimPrefix(path, "/t/:tenant")
	var out []string
	for _, seg := range strings.Split(path, "/") {
		if seg != "" {
			out = append(out, seg)
		}
	}
	if len(out) == 0 {
		return []string{"tenant"}
	}
	return out
}

// tagOf groups an operation by the area its path names: the first segment
// after the tenant (courses, people, roster, …), "platform" for the
// processor's routes.
func tagOf(path string) string {
	switch {
	case strings.HasPrefix(path, v1+"/t/"):
		segs := routeSegments(path)
		if segs[0] == "tenant" {
			return "tenant"
		}
		return segs[0]
	case strings.HasPrefix(path, v1+"/"):
		return routeSegments(path)[0]
	case strings.HasPrefix(path, "/problems"):
		return "problems"
	}
	return "service"
}

// tagDescriptions say what a tag groups where its name alone does not.
var tagDescriptions = map[string]string{
	"service":  "Health, readiness and metrics of the service itself.",
	"problems": "Pages explaining each problem type the API answers with.",
	"platform": "The processor's administration of tenants, contracts, backups and support (processor staff only).",
	"auth":     "Signing in and out.",
	"me":       "The caller's own account, sessions and tokens.",
	"tenant":   "The tenant (school or trust) and its contract.",
}

func tagDescription(tag string) string {
	if d, ok := tagDescriptions[tag]; ok {
		return d
	}
	return "Routes under /api/v1/t/{tenant}/" + tag + "."
}

// pathParamDescription says what a path parameter names.
func pathParamDescription(name string) string {
	if name == "tenant" {
		return "The tenant's slug or id."
	}
	return "The " + strings.ReplaceAll(name, "_", " ") + "'s id."
}

// uploadPart is one part of a multipart upload.
type uploadPart struct{ name, media, doc string }

// uploadParts are the parts an upload route reads (the handlers read
// them by these names as the body streams in).
func uploadParts(route string) []uploadPart {
	switch route {
	case "POST " + tp + "/files":
		return []uploadPart{{"file", "application/octet-stream", "The file; its part's file name is kept."}}
	}
	// Roster imports and deliveries: OneRoster 1.2 CSV files by part name,
	// or one zip of them.
	parts := []uploadPart{{"file", "application/zip", "A zip of the OneRoster CSV files (instead of separate parts)."}}
	for _, f := range []string{roster.ManifestFile, roster.OrgsFile, roster.AcademicSessionsFile, roster.UsersFile,
		roster.RolesFile, roster.ClassesFile, roster.EnrollmentsFile, roster.DemographicsFile} {
		parts = append(parts, uploadPart{f, "text/csv", "OneRoster 1.2 " + f + "."})
	}
	return parts
}
