// Package tenant is the processor's record of its customers: tenants (a
// school or a multi-academy trust), their contracts and schools, created and
// updated from declarative manifests or the operator API. It never deletes.
package tenant

import (
	"sort"
	"time"

	"github.com/google/uuid"
)

// Tenant is a customer and data controller.
type Tenant struct {
	ID     uuid.UUID `gorm:"primaryKey" json:"id"`
	Slug   string    `json:"slug"`
	Name   string    `json:"name"`
	Kind   string    `json:"kind"`
	Region string    `json:"region"`
	// MaxFileBytes caps one uploaded file (contract setting).
	MaxFileBytes int64 `gorm:"default:2147483648" json:"max_file_bytes"`
	// TimeZone is the IANA zone pages show and read times in (default
	// Europe/London); a school may have its own.
	TimeZone  string    `gorm:"default:Europe/London" json:"time_zone"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// TableName is the gorm table.
func (Tenant) TableName() string { return "tenants" }

// ContractStatus is where a contract is; the value is what
// contracts.status holds.
type ContractStatus string

// Contract statuses. Active and ending are set from the end date (statusFor);
// ended and deleted only by the contract-end jobs.
const (
	ContractActive  ContractStatus = "active"  // no end date
	ContractEnding  ContractStatus = "ending"  // an end date is set
	ContractEnded   ContractStatus = "ended"   // past its end: read and export only
	ContractDeleted ContractStatus = "deleted" // the tenant's data is deleted
)

// Contract is the processing contract with a tenant.
type Contract struct {
	TenantID         uuid.UUID      `gorm:"primaryKey" json:"-"`
	Reference        string         `json:"reference"`
	StartsOn         Date           `json:"starts_on"`
	EndsOn           *Date          `json:"ends_on"`
	Status           ContractStatus `json:"status"`
	ReturnWindowDays int            `json:"return_window_days"`
	UpdatedAt        time.Time      `json:"updated_at"`
}

// TableName is the gorm table.
func (Contract) TableName() string { return "contracts" }

// School is one school of a tenant; a single-school tenant has one.
type School struct {
	TenantID uuid.UUID `gorm:"primaryKey" json:"-"`
	ID       uuid.UUID `gorm:"primaryKey" json:"id"`
	Slug     string    `json:"slug"`
	Name     string    `json:"name"`
	// TimeZone is the school's own zone when it differs from the tenant's.
	TimeZone  *string   `json:"time_zone,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// TableName is the gorm table.
func (School) TableName() string { return "schools" }

// Summary is what an operator sees of a tenant: no personal data, only the
// contract and operational figures.
type Summary struct {
	Tenant
	Contract Contract `json:"contract"`
	Figures  Figures  `json:"figures"`
}

// Figures are non-personal operational counts.
type Figures struct {
	Schools      int64 `json:"schools"`
	People       int64 `json:"people"`
	Courses      int64 `json:"courses"`
	StorageBytes int64 `json:"storage_bytes"` // files in object storage
}

// Regions are the data regions a tenant may choose: the UK or an EEA country.
// The schema's CHECK on tenants.region holds the same list.
var Regions = map[string]string{
	"uk": "United Kingdom",
	"at": "Austria", "be": "Belgium", "bg": "Bulgaria", "hr": "Croatia", "cy": "Cyprus", "cz": "Czechia",
	"dk": "Denmark", "ee": "Estonia", "fi": "Finland", "fr": "France", "de": "Germany", "gr": "Greece",
	"hu": "Hungary", "ie": "Ireland", "it": "Italy", "lv": "Latvia", "lt": "Lithuania", "lu": "Luxembourg",
	"mt": "Malta", "nl": "Netherlands", "pl": "Poland", "pt": "Portugal", "ro": "Romania", "sk": "Slovakia",
	"si": "Slovenia", "es": "Spain", "se": "Sweden", "is": "Iceland", "li": "Liechtenstein", "no": "Norway",
}

// Region is one choice of data region, for forms.
type Region struct{ Code, Name string }

// RegionList is the regions with the UK first, then by name.
func RegionList() []Region {
	out := make([]Region, 0, len(Regions))
	for code, name := range Regions {
		if code != "uk" {
			out = append(out, Region{code, name})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return append([]Region{{"uk", Regions["uk"]}}, out...)
}

// Ended reports whether the contract has ended at now: from its end date
// on, the school's admins may only read and take its data back, and no one
// else may sign in.
func (c Contract) Ended(now time.Time) bool {
	return c.EndsOn != nil && !now.UTC().Truncate(24*time.Hour).Before(c.EndsOn.UTC().Truncate(24*time.Hour))
}

// ReturnUntil is when the school's return window closes, or nil while the
// contract has no end date: the end date, or the day it was set if later
// (backdating cannot shorten it), plus the window.
func (c Contract) ReturnUntil() *time.Time {
	if c.EndsOn == nil {
		return nil
	}
	from := c.EndsOn.Time
	if set := c.UpdatedAt.UTC().Truncate(24 * time.Hour); set.After(from) {
		from = set
	}
	until := from.AddDate(0, 0, c.ReturnWindowDays)
	return &until
}
