package web

import (
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/lms/notify"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/request"
)

// notificationPages are a person's own notices (newest first, a page at a
// time; mark one or all read) and their choice, per kind, of how they
// are told.
func (s *Site) notificationPages() []request.Route {
	rt := func(method, path, summary, action string, h pageHandler) request.Route {
		return request.Route{Method: method, Path: tp + path, Summary: summary, Area: request.AreaTenant,
			Object: "notification", Action: action, Handler: s.serve(h)}
	}
	return []request.Route{
		rt("GET", "/notifications", "My notifications", "read", s.notificationsPage),
		rt("POST", "/notifications/read", "Mark notifications as read", "write", s.markNotificationsRead),
		rt("GET", "/notifications/settings", "How I am told of what happens", "read", s.notificationSettingsPage),
		rt("POST", "/notifications/settings", "Save how I am told of what happens", "write", s.saveNotificationSettings),
	}
}

// noticeView is a notice as the list shows it: a long body cut short.
type noticeView struct {
	notify.Notification
	Short string
}

func (s *Site) notificationsPage(c *gin.Context) (page, error) {
	ctx, sc := c.Request.Context(), request.Scope(c)
	items, more, err := listPage(c, func(before uuid.UUID, limit int) ([]notify.Notification, error) {
		return s.d.Notify.List(ctx, sc, before, limit)
	}, func(n notify.Notification) uuid.UUID { return n.ID })
	if err != nil {
		return page{}, err
	}
	unread, err := s.d.Notify.Unread(ctx, sc)
	if err != nil {
		return page{}, err
	}
	views := make([]noticeView, len(items))
	for i, n := range items {
		views[i] = noticeView{Notification: n, Short: shorten(n.Body, 400)}
	}
	return show("notifications", view{Title: "Notifications", Data: map[string]any{
		"Base": base(c), "Items": views, "Unread": unread, "Pager": more}}), nil
}

// shorten cuts s to about n characters at a space.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	cut := n
	for cut > n/2 && r[cut] != ' ' {
		cut--
	}
	return string(r[:cut]) + " …"
}

// markNotificationsRead marks one notice (id) or all of the person's
// (all=yes) read, and goes back to the list.
func (s *Site) markNotificationsRead(c *gin.Context) (page, error) {
	ctx, sc := c.Request.Context(), request.Scope(c)
	back := base(c) + "/notifications"
	if c.PostForm("all") == "yes" {
		return goTo(back), s.d.Notify.MarkAllRead(ctx, sc)
	}
	id, err := uuid.Parse(c.PostForm("id"))
	if err != nil {
		return page{}, errs.New(errs.ErrNotFound, "There is no such notification.")
	}
	return goTo(back), s.d.Notify.MarkRead(ctx, sc, id)
}

// kindChoice is one kind's row of the settings form.
type kindChoice struct {
	Kind  string
	Label string
	InApp bool
	Email string
}

func (s *Site) notificationSettingsPage(c *gin.Context) (page, error) {
	prefs, err := s.d.Notify.Preferences(c.Request.Context(), request.Scope(c))
	if err != nil {
		return page{}, err
	}
	rows := make([]kindChoice, len(prefs))
	for i, p := range prefs {
		rows[i] = kindChoice{Kind: string(p.Kind), Label: p.Kind.Label(), InApp: p.InApp, Email: string(p.Email)}
	}
	// Someone the school has no email address for is told their email
	// choices wait for one, rather than being promised emails.
	me := request.Principal(c)
	person, err := s.d.Identity.GetPerson(c.Request.Context(), accessMember(me), me.ID)
	if err != nil {
		return page{}, err
	}
	return show("notification_settings", view{Title: "How you are told", Data: map[string]any{
		"Base": base(c), "Kinds": rows, "NoEmail": person.Email == nil || *person.Email == "",
		"Ways": []struct{ Value, Label string }{
			{string(notify.EmailNow), "Email at once"}, {string(notify.EmailDigest), "In one email a day"}, {string(notify.EmailNone), "No email"}},
	}}), nil
}

func (s *Site) saveNotificationSettings(c *gin.Context) (page, error) {
	var in []notify.Preference
	for _, k := range notify.Kinds() {
		in = append(in, notify.Preference{Kind: k, InApp: c.PostForm("app_"+string(k)) == "yes",
			Email: notify.Email(c.PostForm("email_" + string(k)))})
	}
	err := s.d.Notify.SetPreferences(c.Request.Context(), request.Scope(c), in)
	return goTo(base(c) + "/notifications/settings?done=saved"), err
}

// notificationsLink is the header's link to Notifications with the
// number unread ("Notifications, 3 unread"); a failed count shows none.
func (s *Site) notificationsLink(c *gin.Context, p identity.Principal, base string) navLink {
	l := navLink{Label: "Notifications", Href: base + "/notifications"}
	if n, err := s.d.Notify.Unread(c.Request.Context(), accessMember(p)); err == nil && n > 0 {
		l.Label += " (" + strconv.Itoa(n) + " unread)"
	}
	return l
}
