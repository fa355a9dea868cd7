package tenant

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"time"
)

// Date is a calendar date (YYYY-MM-DD) with no time zone, as contracts use.
type Date struct{ time.Time }

// ParseDate reads YYYY-MM-DD, years 2000 to 9999.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err == nil && (t.Year() < 2000 || t.Year() > 9999) {
		err = fmt.Errorf("year %d is out of range", t.Year())
	}
	return Date{t}, err
}

func (d Date) String() string { return d.Format(time.DateOnly) }

// MarshalJSON writes "YYYY-MM-DD".
func (d Date) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON reads "YYYY-MM-DD".
func (d *Date) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	p, err := ParseDate(s)
	if err != nil {
		return fmt.Errorf("want a date as YYYY-MM-DD between 2000 and 9999")
	}
	*d = p
	return nil
}

// Value stores the date.
func (d Date) Value() (driver.Value, error) { return d.String(), nil }

// Scan reads a date column.
func (d *Date) Scan(v any) error {
	switch x := v.(type) {
	case time.Time:
		d.Time = x
		return nil
	case string:
		p, err := ParseDate(x)
		*d = p
		return err
	}
	return fmt.Errorf("tenant.Date: cannot scan %T", v)
}
