package web

import (
	"encoding/base64"
	"fmt"
	"html/template"
	"net/url"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	qrcode "github.com/skip2/go-qrcode"

	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/lms/course"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/request"
)

// cardPages are printable sign-in cards for a course's learners (or one of
// its teaching groups, or one learner): each with the pupil's name and
// username, the school's sign-in name, a QR code to the sign-in page with
// that name filled in, and a one-time set-password code. Admins make
// them, and a course's teachers where the school allows; an admin also
// makes one code for a person from their page. Making cards makes new
// codes: the old ones stop working.
func (s *Site) cardPages() []request.Route {
	const noCourse = "There is no such course."
	return []request.Route{
		{Method: "GET", Path: tp + "/courses/:course/sign-in-cards", Summary: "Sign-in cards for a course's learners",
			Area: request.AreaTenant, Object: "sign-in-card", Action: "read", Handler: s.serve(withID("course", noCourse, s.cardsPage))},
		{Method: "POST", Path: tp + "/courses/:course/sign-in-cards", Summary: "Make sign-in cards (new one-time codes) for a course's learners",
			Area: request.AreaTenant, Object: "sign-in-card", Action: "write", Handler: s.serve(withID("course", noCourse, s.makeCards))},
		{Method: "POST", Path: tp + "/admin/people/:id/password-code", Summary: "Make a one-time code for a person to set their password",
			Area: request.AreaTenant, Object: "person", Action: "write", Handler: s.serve(withID("id", "There is no such person.", s.passwordCodePage))},
		{Method: "GET", Path: tp + "/admin/teachers-reset-passwords", Summary: "Whether each school's teachers reset their learners' passwords (admins)",
			Area: request.AreaTenant, Object: "person", Action: "read", Handler: s.serve(s.teachersResetPage)},
		{Method: "POST", Path: tp + "/admin/teachers-reset-passwords", Summary: "Save whether each school's teachers reset their learners' passwords",
			Area: request.AreaTenant, Object: "school-settings", Action: "write", Handler: s.serve(s.saveTeachersReset)},
	}
}

type cardsData struct {
	Base     string
	Course   course.Course
	May      bool
	Learners []identity.Card
	Groups   []course.Group
}

func (s *Site) cardsPage(c *gin.Context, id uuid.UUID) (page, error) {
	ctx, sc := c.Request.Context(), request.Scope(c)
	pv, err := s.d.Courses.Page(ctx, sc, id)
	if err != nil {
		return page{}, err
	}
	d := cardsData{Base: base(c), Course: pv.Course}
	if d.May, err = s.d.Identity.MayMakeCards(ctx, sc, id); err != nil {
		return page{}, err
	}
	if d.Learners, err = s.d.Identity.CardLearners(ctx, sc, id, uuid.Nil, uuid.Nil); err != nil {
		return page{}, err
	}
	if d.Groups, err = s.d.Courses.Groups(ctx, sc, id, uuid.Nil, 200); err != nil {
		return page{}, err
	}
	return show("sign_in_cards", view{Title: "Sign-in cards for " + pv.Course.Title, Data: d}), nil
}

// printedCard is one card as printed.
type printedCard struct {
	identity.Card
	QR template.URL // a data: URL of the PNG (the page's CSP allows data: images)
}

type printedCardsData struct {
	Base, Slug, SignIn string
	Course             course.Course
	Cards              []printedCard
}

// makeCards makes new codes for the course's learners (all, a group's, or
// one) and shows them once, as cards to print: they are not kept.
func (s *Site) makeCards(c *gin.Context, id uuid.UUID) (page, error) {
	ctx, sc := c.Request.Context(), request.Scope(c)
	pv, err := s.d.Courses.Page(ctx, sc, id)
	if err != nil {
		return page{}, err
	}
	group, person := optionalID(c.PostForm("group")), optionalID(c.PostForm("person"))
	if group == nil || person == nil {
		return page{}, errs.New(errs.ErrInvalid, "The form named a group or learner that is not one.")
	}
	cards, err := s.d.Identity.SignInCards(ctx, sc, id, *group, *person)
	if err != nil {
		return page{}, err
	}
	slug, err := s.d.Tenants.SlugOf(ctx, sc.Tenant())
	if err != nil {
		return page{}, err
	}
	signIn := s.d.Config.PublicURL + "/signin?tenant=" + url.QueryEscape(slug)
	png, err := qrcode.Encode(signIn, qrcode.Medium, 256)
	if err != nil {
		return page{}, fmt.Errorf("sign-in cards: QR code: %w", err)
	}
	qr := template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))
	d := printedCardsData{Base: base(c), Slug: slug, SignIn: s.d.Config.PublicURL + "/signin", Course: pv.Course}
	for _, card := range cards {
		d.Cards = append(d.Cards, printedCard{Card: card, QR: qr})
	}
	return show("sign_in_cards_print", view{Title: "Sign-in cards for " + pv.Course.Title, Data: d}), nil
}

// optionalID reads an optional id from a form: Nil when empty, nil when
// it is not an id.
func optionalID(v string) *uuid.UUID {
	if v == "" {
		return &uuid.Nil
	}
	id, err := uuid.Parse(v)
	if err != nil {
		return nil
	}
	return &id
}

// passwordCodePage makes a one-time code for a person (a pupil without
// email) and shows it to the admin once.
func (s *Site) passwordCodePage(c *gin.Context, id uuid.UUID) (page, error) {
	ctx, sc := c.Request.Context(), request.Scope(c)
	d, err := s.personView(c, id)
	if err != nil {
		return page{}, err
	}
	code, err := s.d.Identity.PasswordCode(ctx, sc, id)
	if err != nil {
		return page{}, err
	}
	slug, err := s.d.Tenants.SlugOf(ctx, sc.Tenant())
	if err != nil {
		return page{}, err
	}
	return show("password_code", view{Title: "A code for " + d.Person.DisplayName + " to set a password", Data: map[string]any{
		"Base": base(c), "Person": d.Person, "Code": code, "Slug": slug, "SignIn": s.d.Config.PublicURL + "/set-password",
	}}), nil
}

func (s *Site) teachersResetPage(c *gin.Context) (page, error) {
	return s.schoolSettingPage(c, "admin_teachers_reset", "Who resets learners' passwords", s.d.Identity.TeachersResetPasswords)
}

// saveTeachersReset saves every school on the form: those ticked let their
// teachers make codes for the learners on their courses.
func (s *Site) saveTeachersReset(c *gin.Context) (page, error) {
	return s.saveSchoolSetting(c, "/admin/teachers-reset-passwords", s.d.Identity.SetTeachersResetPasswords)
}
