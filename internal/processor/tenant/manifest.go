package tenant

import (
	"fmt"
	"net/mail"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/platform/localtime"
)

// Manifest declares a tenant. `lms tenants apply DIR` and
// POST /api/v1/platform/tenants take the same shape (YAML or JSON).
type Manifest struct {
	Slug   string `json:"slug"`
	Name   string `json:"name"`
	Kind   string `json:"kind"`   // school or trust
	Region string `json:"region"` // uk or an EEA country code; fixed at creation
	// MaxFileMiB caps one uploaded file, in MiB (default 2048; 1 to 102400).
	MaxFileMiB int `json:"max_file_mib,omitempty"`
	// TimeZone is an IANA zone name (default Europe/London).
	TimeZone string       `json:"time_zone,omitempty"`
	Contract ContractSpec `json:"contract"`
	Schools  []SchoolSpec `json:"schools"`
	Admins   []AdminSpec  `json:"admins"`
}

// ContractSpec is the contract part of a manifest.
type ContractSpec struct {
	Reference        string `json:"reference"`
	StartsOn         string `json:"starts_on"`                    // YYYY-MM-DD
	EndsOn           string `json:"ends_on,omitempty"`            // YYYY-MM-DD; empty while open-ended
	ReturnWindowDays int    `json:"return_window_days,omitempty"` // default 30
}

// SchoolSpec is one school. Slug identifies it within the tenant.
type SchoolSpec struct {
	Slug string `json:"slug"`
	Name string `json:"name"`
	// TimeZone is the school's zone when it differs from the tenant's.
	TimeZone string `json:"time_zone,omitempty"`
	// DfENumber, URN and ExternalID match the school to its roster
	// export (see SchoolCodes); each is set when given and left alone
	// when left out, so codes an admin recorded on the roster page stay.
	DfENumber  string `json:"dfe_number,omitempty"`
	URN        string `json:"urn,omitempty"`
	ExternalID string `json:"external_id,omitempty"`
}

// AdminSpec is one of the tenant's first administrators. Without School the
// admin acts for the whole tenant (for a trust: every school).
type AdminSpec struct {
	Username        string `json:"username"`
	Email           string `json:"email,omitempty"`
	DisplayName     string `json:"display_name"`
	School          string `json:"school,omitempty"`
	InitialPassword string `json:"initial_password,omitempty"` // dev and demo only; set once, never overwritten
}

var slugRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,62}$`)

// Validate normalises the manifest and reports every problem by field path.
func (m *Manifest) Validate() error {
	var fe errs.FieldErrors
	for path, v := range m.texts() {
		if errs.HasControl(v) {
			fe.Add(path, "must not contain control characters")
		}
	}
	m.Slug, m.Name = strings.TrimSpace(m.Slug), strings.TrimSpace(m.Name)
	m.Kind, m.Region = strings.ToLower(strings.TrimSpace(m.Kind)), strings.ToLower(strings.TrimSpace(m.Region))
	if !slugRE.MatchString(m.Slug) {
		fe.Add("slug", "must be 2-63 lower-case letters, digits or hyphens, starting with a letter or digit")
	}
	if m.Name == "" || len(m.Name) > 200 {
		fe.Add("name", "must be 1-200 characters")
	}
	if m.Kind != "school" && m.Kind != "trust" {
		fe.Add("kind", "must be school or trust")
	}
	if _, ok := Regions[m.Region]; !ok {
		fe.Add("region", "must be uk or an EEA country code (e.g. ie, de, fr); %q is not allowed", m.Region)
	}
	if m.TimeZone = strings.TrimSpace(m.TimeZone); m.TimeZone == "" {
		m.TimeZone = localtime.Default
	}
	if _, err := localtime.Load(m.TimeZone); err != nil {
		fe.Add("time_zone", "must be a time zone such as Europe/London")
	}
	if m.MaxFileMiB != 0 && (m.MaxFileMiB < 1 || m.MaxFileMiB > 102400) {
		fe.Add("max_file_mib", "must be from 1 to 102400")
	}
	c := &m.Contract
	if c.Reference = strings.TrimSpace(c.Reference); c.Reference == "" || len(c.Reference) > 100 {
		fe.Add("contract.reference", "must be 1-100 characters")
	}
	start, err := ParseDate(c.StartsOn)
	if err != nil {
		fe.Add("contract.starts_on", "must be a date as YYYY-MM-DD")
	}
	if c.EndsOn != "" {
		end, err := ParseDate(c.EndsOn)
		if err != nil {
			fe.Add("contract.ends_on", "must be a date as YYYY-MM-DD")
		} else if !start.IsZero() && end.Before(start.Time) {
			fe.Add("contract.ends_on", "must not be before starts_on")
		}
	}
	if c.ReturnWindowDays == 0 {
		c.ReturnWindowDays = 30
	}
	if c.ReturnWindowDays < 1 || c.ReturnWindowDays > 365 {
		fe.Add("contract.return_window_days", "must be 1-365")
	}
	if len(m.Schools) == 0 {
		fe.Add("schools", "must list at least one school")
	}
	if m.Kind == "school" && len(m.Schools) > 1 {
		fe.Add("schools", "a single school tenant has exactly one school; use kind: trust")
	}
	schools := map[string]bool{}
	for i := range m.Schools {
		s := &m.Schools[i]
		s.Slug, s.Name = strings.TrimSpace(s.Slug), strings.TrimSpace(s.Name)
		if !slugRE.MatchString(s.Slug) {
			fe.Add(fmt.Sprintf("schools[%d].slug", i), "must be 2-63 lower-case letters, digits or hyphens")
		} else if schools[s.Slug] {
			fe.Add(fmt.Sprintf("schools[%d].slug", i), "duplicates another school")
		}
		schools[s.Slug] = true
		if s.Name == "" || len(s.Name) > 200 {
			fe.Add(fmt.Sprintf("schools[%d].name", i), "must be 1-200 characters")
		}
		if s.TimeZone = strings.TrimSpace(s.TimeZone); s.TimeZone != "" {
			if _, err := localtime.Load(s.TimeZone); err != nil {
				fe.Add(fmt.Sprintf("schools[%d].time_zone", i), "must be a time zone such as Europe/London")
			}
		}
	}
	checkSchoolCodes(&fe, m.Schools)
	if len(m.Admins) == 0 {
		fe.Add("admins", "must list at least one administrator")
	}
	for i := range m.Admins {
		a := &m.Admins[i]
		p := fmt.Sprintf("admins[%d]", i)
		a.Username, a.Email, a.DisplayName = strings.TrimSpace(a.Username), strings.TrimSpace(a.Email), strings.TrimSpace(a.DisplayName)
		if a.Username == "" && a.Email != "" {
			a.Username = strings.ToLower(a.Email)
		}
		if a.Username == "" || strings.ContainsAny(a.Username, " \t") || len(a.Username) > 254 {
			fe.Add(p+".username", "must be 1-254 characters without spaces (or give email)")
		}
		if a.Email != "" {
			if e, err := mail.ParseAddress(a.Email); err != nil || e.Address != a.Email {
				fe.Add(p+".email", "must be a plain e-mail address")
			}
		}
		if a.DisplayName == "" || len(a.DisplayName) > 200 {
			fe.Add(p+".display_name", "must be 1-200 characters")
		}
		if a.School != "" && !schools[a.School] {
			fe.Add(p+".school", "names no school in this manifest")
		}
		if a.InitialPassword != "" && len([]rune(a.InitialPassword)) < 12 {
			fe.Add(p+".initial_password", "must be at least 12 characters")
		}
	}
	return fe.Err()
}

// texts are the manifest's free-text fields by path.
func (m *Manifest) texts() map[string]string {
	t := map[string]string{"name": m.Name, "contract.reference": m.Contract.Reference}
	for i, s := range m.Schools {
		t[fmt.Sprintf("schools[%d].name", i)] = s.Name
		t[fmt.Sprintf("schools[%d].external_id", i)] = s.ExternalID
	}
	for i, a := range m.Admins {
		t[fmt.Sprintf("admins[%d].display_name", i)] = a.DisplayName
		t[fmt.Sprintf("admins[%d].username", i)] = a.Username
	}
	return t
}

// LoadDir reads every *.yaml, *.yml and *.json manifest in dir, in name
// order. Unknown fields are errors, so a typo cannot be silently ignored.
func LoadDir(dir string) (map[string]Manifest, []string, error) {
	var files []string
	for _, pat := range []string{"*.yaml", "*.yml", "*.json"} {
		f, _ := filepath.Glob(filepath.Join(dir, pat))
		files = append(files, f...)
	}
	sort.Strings(files)
	if len(files) == 0 {
		return nil, nil, fmt.Errorf("tenants: no manifests (*.yaml, *.json) in %s", dir)
	}
	out := map[string]Manifest{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, nil, err
		}
		var m Manifest
		if err := yaml.UnmarshalStrict(b, &m); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", f, err)
		}
		if err := m.Validate(); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", f, err)
		}
		out[f] = m
	}
	return out, files, nil
}
