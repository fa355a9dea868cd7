package identity

import (
	"time"

	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
)

// rectified records a change to a person's record in the tenant's audit
// trail with the values before and after (Art. 16 rectification): the
// trail is the school's, and answers "who changed this, from what".
// Passwords are never recorded, only that one was set.
func rectified(tx *gorm.DB, sc access.Scope, before, after Person) error {
	detail := map[string]string{}
	diff := func(field, a, b string) {
		if a != b {
			detail[field+".before"], detail[field+".after"] = a, b
		}
	}
	deref := func(s *string) string {
		if s == nil {
			return ""
		}
		return *s
	}
	diff("display_name", before.DisplayName, after.DisplayName)
	diff("email", deref(before.Email), deref(after.Email))
	diff("status", string(before.Status), string(after.Status))
	diff("preferred_name", deref(before.PreferredName), deref(after.PreferredName))
	day := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.Format(time.DateOnly)
	}
	diff("birth_date", day(before.BirthDate), day(after.BirthDate))
	diff("left_on", day(before.LeftOn), day(after.LeftOn))
	if before.PasswordHash != after.PasswordHash {
		detail["password"] = "set"
	}
	if len(detail) == 0 {
		return nil
	}
	return Record(tx, sc, "", "person.rectified", "person "+after.ID.String(), detail)
}
