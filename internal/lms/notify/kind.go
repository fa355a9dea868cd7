// Package notify is what people are told about their learning, in the app
// and by email: feedback released, work due in 24 hours, work now overdue,
// a new announcement, a reply in a thread they take part in.
//
// Each person chooses per kind whether a notice shows in the app and
// whether it is emailed at once, in a daily digest, or not at all; without
// a choice the kind's default applies (Default). These are notices about
// the person's own learning, not marketing: they need no consent. (An
// optional announcement reaches only people whose consent is in force, as
// comms decides; its notice follows it.)
//
// A notice is unique per person, kind and subject (an assignment, a post,
// a communication): it is written with INSERT … ON CONFLICT DO NOTHING, and
// its email queued only when the row is new, in one transaction, so a job
// run twice, or by two workers at once, never sends twice.
package notify

// Kind is what a notice is about; the value is what notifications.kind
// holds.
type Kind string

// Kinds of notice.
const (
	Feedback     Kind = "feedback"
	DueSoon      Kind = "due_soon"
	Overdue      Kind = "overdue"
	Announcement Kind = "announcement"
	Reply        Kind = "reply"
)

// Kinds are every kind, in the order the settings page lists them.
func Kinds() []Kind { return []Kind{Feedback, DueSoon, Overdue, Announcement, Reply} }

// Label is the kind in plain words.
func (k Kind) Label() string {
	switch k {
	case Feedback:
		return "Marks and feedback given back to you"
	case DueSoon:
		return "Work due in the next 24 hours"
	case Overdue:
		return "Work now overdue"
	case Announcement:
		return "New announcements from your teachers and school"
	case Reply:
		return "Replies in discussions you take part in"
	}
	return "Other notices"
}

// Valid reports whether k is a kind.
func (k Kind) Valid() bool {
	for _, x := range Kinds() {
		if k == x {
			return true
		}
	}
	return false
}

// Email is how a kind's notices are emailed; the value is what the
// email columns hold.
type Email string

// Ways of emailing.
const (
	EmailNow    Email = "now"    // one email per notice, at once
	EmailDigest Email = "digest" // collected into one email a day
	EmailNone   Email = "none"   // not emailed
)

// Valid reports whether e is a way of emailing.
func (e Email) Valid() bool { return e == EmailNow || e == EmailDigest || e == EmailNone }

// Preference is a person's choice for one kind.
type Preference struct {
	Kind  Kind  `json:"kind"`
	InApp bool  `json:"in_app"`
	Email Email `json:"email"`
}

// Off reports whether the person gets nothing of this kind.
func (p Preference) Off() bool { return !p.InApp && p.Email == EmailNone }

// Default is a kind's preference before the person chooses: deadlines and
// feedback in the app and by email at once; announcements (which their
// sender may email themselves) and replies in the app only.
func Default(k Kind) Preference {
	switch k {
	case Feedback, DueSoon, Overdue:
		return Preference{Kind: k, InApp: true, Email: EmailNow}
	}
	return Preference{Kind: k, InApp: true, Email: EmailNone}
}
