package web

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/lms/course"
	"github.com/schoolcloud/lms/internal/lms/files"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/request"
)

// buildPages are how a teacher makes a course in the browser: create it,
// edit its details and status, add, rename, move and delete sections,
// add pages (in the editor), links and files, and move, hide, schedule,
// edit and delete items. Every form posts to the same course service as
// the API; the service decides who may.
func (s *Site) buildPages() []request.Route {
	read := func(method, path, summary string, h pageHandler) request.Route {
		return request.Route{Method: method, Path: tp + path, Summary: summary, Area: request.AreaTenant,
			Object: "course", Action: "read", Handler: s.serve(h)}
	}
	write := func(method, path, summary string, h pageHandler) request.Route {
		rt := read(method, path, summary, h)
		rt.Action = "write"
		return rt
	}
	const noCourse, noSection, noItem = "There is no such course.", "There is no such section.", "There is no such item."
	return []request.Route{
		read("GET", "/courses/new", "Make a course (teachers, where the school allows; admins)", s.newCoursePage),
		write("POST", "/courses", "Make a course", s.createCourse),
		read("GET", "/courses/:course/edit", "Build a course: details, sections and items (its teachers)",
			withID("course", noCourse, s.buildPage)),
		write("POST", "/courses/:course/details", "Change a course's title and summary",
			withID("course", noCourse, s.saveCourseDetails)),
		write("POST", "/courses/:course/status", "Publish, unpublish or archive a course",
			withID("course", noCourse, s.setCourseStatus)),
		write("POST", "/courses/:course/sections", "Add a section", withID("course", noCourse, s.addSection)),
		write("POST", "/sections/:section", "Rename a section", withID("section", noSection, s.renameSection)),
		write("POST", "/sections/:section/move", "Move a section", withID("section", noSection, s.moveSection)),
		write("POST", "/sections/:section/delete", "Delete a section and what is in it",
			withID("section", noSection, s.deleteSection)),
		read("GET", "/sections/:section/items/new", "Add a page or a link to a section",
			withID("section", noSection, s.newItemPage)),
		write("POST", "/sections/:section/items", "Add a page or a link", withID("section", noSection, s.createItem)),
		{Method: "POST", Path: tp + "/sections/:section/files", Summary: "Add files, video or audio to a section (streamed)",
			Area: request.AreaTenant, Upload: true, Object: "course", Action: "write",
			Handler: s.serve(withID("section", noSection, s.uploadFiles))},
		read("GET", "/items/:item/edit", "Edit an item", withID("item", noItem, s.editItemPage)),
		write("POST", "/items/:item/edit", "Save an item", withID("item", noItem, s.saveItem)),
		{Method: "POST", Path: tp + "/items/:item/file", Summary: "Replace an item's file (streamed)",
			Area: request.AreaTenant, Upload: true, Object: "course", Action: "write",
			Handler: s.serve(withID("item", noItem, s.replaceFile))},
		write("POST", "/items/:item/move", "Move an item", withID("item", noItem, s.moveItem)),
		write("POST", "/items/:item/visibility", "Show, hide or schedule an item", withID("item", noItem, s.setVisibility)),
		write("POST", "/items/:item/delete", "Delete an item", withID("item", noItem, s.deleteItem)),
		{Method: "POST", Path: tp + "/images", Summary: "Upload an image for a page being written (streamed; answers its address)",
			Area: request.AreaTenant, Upload: true, Object: "course", Action: "write", Handler: s.serve(s.uploadImage)},
		read("GET", "/images/:file", "An image of a page (a short-lived link)", withID("file", "There is no such image.", s.image)),
	}
}

// --- courses -------------------------------------------------------------

var courseFields = []string{"school_id", "title", "summary"}

func (s *Site) newCoursePage(c *gin.Context) (page, error) {
	return s.showNewCourse(c, http.StatusOK, view{Form: map[string]string{}})
}

func (s *Site) showNewCourse(c *gin.Context, status int, v view) (page, error) {
	schools, err := s.schoolsOf(c)
	if err != nil {
		return page{}, err
	}
	if v.Form["school_id"] == "" && len(schools) > 0 {
		v.Form["school_id"] = schools[0].ID.String()
	}
	v.Title, v.Fields = "Make a course", courseFields
	v.Data = map[string]any{"Base": base(c), "Schools": schools}
	return page{status: status, name: "course_new", view: v}, nil
}

func (s *Site) createCourse(c *gin.Context) (page, error) {
	form := posted(c, courseFields...)
	school, err := uuid.Parse(form["school_id"])
	if err != nil {
		return s.showNewCourse(c, http.StatusBadRequest, view{Form: form, Errors: map[string]string{"school_id": "Choose a school"}})
	}
	cr, err := s.d.Courses.Create(c.Request.Context(), request.Scope(c), course.NewCourse{SchoolID: school, Title: form["title"], Summary: form["summary"]})
	if fe, err := formOutcome(err, nil); err != nil {
		return page{}, err
	} else if len(fe) > 0 {
		return s.showNewCourse(c, http.StatusBadRequest, view{Form: form, Errors: fe})
	}
	return goTo(base(c) + "/courses/" + cr.ID.String() + "/edit?done=course-made"), nil
}

// buildData is the course builder: the course as its teachers see it,
// with each section's and item's place for the move buttons.
type buildData struct {
	Base   string
	Tenant uuid.UUID
	Page   course.PageView
	Now    string // datetime-local of now, the schedule field's default
}

func (s *Site) buildPage(c *gin.Context, id uuid.UUID) (page, error) {
	return s.showBuild(c, id, http.StatusOK, view{Form: map[string]string{}})
}

var buildFields = []string{"title", "summary", "section_title"}

func (s *Site) showBuild(c *gin.Context, id uuid.UUID, status int, v view) (page, error) {
	ctx, sc := c.Request.Context(), request.Scope(c)
	ok, err := s.d.Courses.Teaches(ctx, sc, id)
	if err != nil {
		return page{}, err
	}
	if !ok {
		return page{}, errs.New(errs.ErrForbidden, "Only the course's teachers and its school's admins build it.")
	}
	pv, err := s.d.Courses.Page(ctx, sc, id)
	if err != nil {
		return page{}, err
	}
	if _, typed := v.Form["title"]; !typed {
		v.Form["title"], v.Form["summary"] = pv.Course.Title, pv.Course.Summary
	}
	v.Title, v.Fields = "Build: "+pv.Course.Title, buildFields
	v.Data = buildData{Base: base(c), Tenant: sc.Tenant(), Page: pv, Now: s.now().In(s.zone(c)).Format(dateTimeLocal)}
	return page{status: status, name: "course_build", view: v}, nil
}

func (s *Site) builder(c *gin.Context, course uuid.UUID, done string) page {
	return goTo(base(c) + "/courses/" + course.String() + "/edit?done=" + done)
}

func (s *Site) saveCourseDetails(c *gin.Context, id uuid.UUID) (page, error) {
	form := posted(c, "title", "summary")
	title, summary := form["title"], form["summary"]
	_, err := s.d.Courses.Update(c.Request.Context(), request.Scope(c), id, course.CoursePatch{Title: &title, Summary: &summary})
	if fe, err := formOutcome(err, nil); err != nil {
		return page{}, err
	} else if len(fe) > 0 {
		return s.showBuild(c, id, http.StatusBadRequest, view{Form: form, Errors: fe})
	}
	return s.builder(c, id, "saved"), nil
}

var courseStatuses = map[string]string{string(course.Published): "course-published", string(course.Draft): "course-unpublished", string(course.Archived): "course-archived"}

func (s *Site) setCourseStatus(c *gin.Context, id uuid.UUID) (page, error) {
	if _, err := s.d.Courses.Teaches(c.Request.Context(), request.Scope(c), id); err != nil {
		return page{}, err // another tenant's or an unseen course is not found, whatever the form says
	}
	done, ok := courseStatuses[c.PostForm("status")]
	if !ok {
		return page{}, errs.New(errs.ErrInvalid, "Choose publish, unpublish or archive.")
	}
	st := course.Status(c.PostForm("status"))
	_, err := s.d.Courses.Update(c.Request.Context(), request.Scope(c), id, course.CoursePatch{Status: &st})
	return s.builder(c, id, done), err
}

// --- sections ------------------------------------------------------------

func (s *Site) addSection(c *gin.Context, id uuid.UUID) (page, error) {
	title := strings.TrimSpace(c.PostForm("section_title"))
	_, err := s.d.Courses.AddSection(c.Request.Context(), request.Scope(c), id, course.NewSection{Title: title})
	if fe, err := formOutcome(err, map[string]string{"title": "section_title"}); err != nil {
		return page{}, err
	} else if len(fe) > 0 {
		return s.showBuild(c, id, http.StatusBadRequest, view{Form: map[string]string{"section_title": title}, Errors: fe})
	}
	return s.builder(c, id, "section-added"), nil
}

func (s *Site) renameSection(c *gin.Context, id uuid.UUID) (page, error) {
	ctx, sc := c.Request.Context(), request.Scope(c)
	if _, err := s.d.Courses.GetSection(ctx, sc, id); err != nil {
		return page{}, err
	}
	title := strings.TrimSpace(c.PostForm("title"))
	sec, err := s.d.Courses.UpdateSection(ctx, sc, id, course.SectionPatch{Title: &title})
	if _, isField := formErrors(err); isField {
		return page{}, errs.New(errs.ErrInvalid, "A section's name must be 1 to 200 characters.")
	}
	return s.builder(c, sec.CourseID, "saved"), err
}

// position reads a move form's target place (0 is the first).
func position(c *gin.Context) (int, error) {
	p, err := strconv.Atoi(c.PostForm("position"))
	if err != nil || p < 0 || p > 10000 {
		return 0, errs.New(errs.ErrInvalid, "The new place must be a whole number from 0.")
	}
	return p, nil
}

func (s *Site) moveSection(c *gin.Context, id uuid.UUID) (page, error) {
	ctx, sc := c.Request.Context(), request.Scope(c)
	sec, err := s.d.Courses.GetSection(ctx, sc, id)
	if err != nil {
		return page{}, err
	}
	p, err := position(c)
	if err != nil {
		return page{}, err
	}
	_, err = s.d.Courses.UpdateSection(ctx, sc, id, course.SectionPatch{Position: &p})
	return s.builder(c, sec.CourseID, "moved"), err
}

func (s *Site) deleteSection(c *gin.Context, id uuid.UUID) (page, error) {
	ctx, sc := c.Request.Context(), request.Scope(c)
	sec, err := s.d.Courses.GetSection(ctx, sc, id)
	if err != nil {
		return page{}, err
	}
	return s.builder(c, sec.CourseID, "section-deleted"), s.d.Courses.DeleteSection(ctx, sc, id)
}

// --- items ---------------------------------------------------------------

var itemFields = []string{"title", "body_html", "url", "visible_from"}

// itemKinds are what the add form makes; files come through uploadFiles.
var itemKinds = map[string]string{course.KindPage: "Write a page", course.KindLink: "Link to a website"}

func (s *Site) newItemPage(c *gin.Context, id uuid.UUID) (page, error) {
	if _, err := s.d.Courses.GetSection(c.Request.Context(), request.Scope(c), id); err != nil {
		return page{}, err
	}
	kind := c.DefaultQuery("kind", course.KindPage)
	if itemKinds[kind] == "" {
		return page{}, errs.New(errs.ErrInvalid, "Choose a page or a link.")
	}
	return s.showItemForm(c, id, uuid.Nil, kind, http.StatusOK, view{Form: map[string]string{"published": "yes"}})
}

// itemFormData is the add or edit form of a page or link.
type itemFormData struct {
	Base     string
	Tenant   uuid.UUID
	Kind     string
	Section  course.Section
	ItemID   uuid.UUID // uuid.Nil when adding
	Action   string
	Back     string
	Replaces *course.Item // a file, video or audio item being edited
}

func (s *Site) showItemForm(c *gin.Context, section, item uuid.UUID, kind string, status int, v view) (page, error) {
	sec, err := s.d.Courses.GetSection(c.Request.Context(), request.Scope(c), section)
	if err != nil {
		return page{}, err
	}
	d := itemFormData{Base: base(c), Tenant: request.Scope(c).Tenant(), Kind: kind, Section: sec, ItemID: item,
		Action: base(c) + "/sections/" + section.String() + "/items", Back: base(c) + "/courses/" + sec.CourseID.String() + "/edit"}
	v.Title = itemKinds[kind]
	if item != uuid.Nil {
		d.Action, v.Title = base(c)+"/items/"+item.String()+"/edit", "Edit "+kindNames[kind]
	}
	v.Fields, v.Data = itemFields, d
	return page{status: status, name: "item_form", view: v}, nil
}

func (s *Site) createItem(c *gin.Context, section uuid.UUID) (page, error) {
	ctx, sc := c.Request.Context(), request.Scope(c)
	sec, err := s.d.Courses.GetSection(ctx, sc, section)
	if err != nil {
		return page{}, err
	}
	form := postedAsIs(c, "kind", "title", "body_html", "url", "visible_from", "published")
	kind := form["kind"]
	if itemKinds[kind] == "" {
		return page{}, errs.New(errs.ErrInvalid, "Choose a page or a link.")
	}
	fe := map[string]string{}
	published := form["published"] == "yes"
	in := course.NewItem{SectionID: section, Kind: kind, Title: strings.TrimSpace(form["title"]), Published: &published,
		VisibleFrom: optionalLocal(fe, "visible_from", form["visible_from"], s.zone(c))}
	if kind == course.KindPage {
		body := form["body_html"]
		in.BodyHTML = &body
	} else {
		u := strings.TrimSpace(form["url"])
		in.URL = &u
	}
	if len(fe) == 0 {
		_, err = s.d.Courses.AddItem(ctx, sc, sec.CourseID, in)
		if fe, err = formOutcome(err, nil); err != nil {
			return page{}, err
		}
	}
	if len(fe) > 0 {
		return s.showItemForm(c, section, uuid.Nil, kind, http.StatusBadRequest, view{Form: form, Errors: fe})
	}
	return s.builder(c, sec.CourseID, "item-added"), nil
}

func (s *Site) editItemPage(c *gin.Context, id uuid.UUID) (page, error) {
	it, err := s.d.Courses.GetItem(c.Request.Context(), request.Scope(c), id)
	if err != nil {
		return page{}, err
	}
	form := map[string]string{"title": it.Title, "body_html": deref(it.BodyHTML), "url": deref(it.URL)}
	p, err := s.showItemForm(c, it.SectionID, id, it.Kind, http.StatusOK, view{Form: form})
	if d, ok := p.view.Data.(itemFormData); ok && it.FileID != nil {
		d.Replaces = &it.Item
		p.view.Data = d
	}
	return p, err
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func (s *Site) saveItem(c *gin.Context, id uuid.UUID) (page, error) {
	ctx, sc := c.Request.Context(), request.Scope(c)
	it, err := s.d.Courses.GetItem(ctx, sc, id)
	if err != nil {
		return page{}, err
	}
	form := postedAsIs(c, "title", "body_html", "url")
	title := strings.TrimSpace(form["title"])
	patch := course.ItemPatch{Title: &title}
	switch it.Kind {
	case course.KindPage:
		body := form["body_html"]
		patch.BodyHTML = &body
	case course.KindLink:
		u := strings.TrimSpace(form["url"])
		patch.URL = &u
	}
	_, err = s.d.Courses.UpdateItem(ctx, sc, id, patch)
	if fe, err := formOutcome(err, nil); err != nil {
		return page{}, err
	} else if len(fe) > 0 {
		return s.showItemForm(c, it.SectionID, id, it.Kind, http.StatusBadRequest, view{Form: form, Errors: fe})
	}
	return s.builder(c, it.CourseID, "saved"), nil
}

func (s *Site) moveItem(c *gin.Context, id uuid.UUID) (page, error) {
	ctx, sc := c.Request.Context(), request.Scope(c)
	it, err := s.d.Courses.GetItem(ctx, sc, id)
	if err != nil {
		return page{}, err
	}
	p, err := position(c)
	if err != nil {
		return page{}, err
	}
	_, err = s.d.Courses.UpdateItem(ctx, sc, id, course.ItemPatch{Position: &p})
	return s.builder(c, it.CourseID, "moved"), err
}

// setVisibility shows, hides or schedules an item: show=yes publishes it
// (from visible_from when given), show=no hides it.
func (s *Site) setVisibility(c *gin.Context, id uuid.UUID) (page, error) {
	ctx, sc := c.Request.Context(), request.Scope(c)
	if _, err := s.d.Courses.GetItem(ctx, sc, id); err != nil {
		return page{}, err
	}
	fe := map[string]string{}
	show := c.PostForm("show") == "yes"
	patch := course.ItemPatch{Published: &show, VisibleFrom: optionalLocal(fe, "visible_from", c.PostForm("visible_from"), s.zone(c))}
	if len(fe) > 0 {
		return page{}, errs.New(errs.ErrInvalid, "%s", fe["visible_from"])
	}
	patch.Unschedule = patch.VisibleFrom == nil
	it, err := s.d.Courses.UpdateItem(ctx, sc, id, patch)
	done := "item-shown"
	switch {
	case !show:
		done = "item-hidden"
	case patch.VisibleFrom != nil:
		done = "item-scheduled"
	}
	return s.builder(c, it.CourseID, done), err
}

func (s *Site) deleteItem(c *gin.Context, id uuid.UUID) (page, error) {
	ctx, sc := c.Request.Context(), request.Scope(c)
	it, err := s.d.Courses.GetItem(ctx, sc, id)
	if err != nil {
		return page{}, err
	}
	return s.builder(c, it.CourseID, "item-deleted"), s.d.Courses.DeleteItem(ctx, sc, id)
}

// optionalLocal reads an optional datetime-local field in loc; empty is nil.
func optionalLocal(fe map[string]string, field, v string, loc *time.Location) *time.Time {
	if strings.TrimSpace(v) == "" {
		return nil
	}
	t := localTime(fe, field, v, loc)
	if _, bad := fe[field]; bad {
		return nil
	}
	return &t
}

// --- files ---------------------------------------------------------------

// kindOfFile is the item a stored file becomes: video and audio play in
// the page, anything else downloads.
func kindOfFile(contentType string) string {
	switch files.Family(contentType) {
	case "video":
		return course.KindVideo
	case "audio":
		return course.KindAudio
	}
	return course.KindFile
}

// uploadFiles streams every file of the form into storage, one part at a
// time, each becoming an item titled by its name. The page sends each
// dropped file in a request of its own, for a progress bar per file.
func (s *Site) uploadFiles(c *gin.Context, section uuid.UUID) (page, error) {
	ctx, sc := c.Request.Context(), request.Scope(c)
	sec, err := s.d.Courses.GetSection(ctx, sc, section)
	if err != nil {
		return page{}, err
	}
	added := 0
	err = eachFile(c, func(name string, body io.Reader) error {
		f, err := s.d.Files.Upload(ctx, sc, name, body)
		if err != nil {
			return err
		}
		title := strings.TrimSuffix(name, fileExt(name))
		if strings.TrimSpace(title) == "" {
			title = name
		}
		_, err = s.d.Courses.AddItem(ctx, sc, sec.CourseID, course.NewItem{SectionID: section, Kind: kindOfFile(f.ContentType), Title: title, FileID: &f.ID})
		added++
		return err
	})
	if err == nil && added == 0 {
		err = errs.New(errs.ErrInvalid, "Choose at least one file to add.")
	}
	return s.builder(c, sec.CourseID, "files-added"), err
}

func fileExt(name string) string {
	if i := strings.LastIndexByte(name, '.'); i > 0 {
		return name[i:]
	}
	return ""
}

// eachFile hands every non-empty file part of a page's multipart form to
// fn, streamed; a field error names the file it is about.
func eachFile(c *gin.Context, fn func(name string, body io.Reader) error) error {
	mr := request.MultipartOf(c)
	if mr == nil {
		return errs.New(errs.ErrInvalid, "Send the form from the page (multipart/form-data).")
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return errs.New(errs.ErrInvalid, "The form could not be read. Try sending it again.")
		}
		if part.FileName() == "" {
			_, _ = io.Copy(io.Discard, part)
			continue
		}
		if err := fn(part.FileName(), part); err != nil {
			if m, isField := formErrors(err); isField {
				return errs.New(errs.ErrInvalid, "%s: %s", part.FileName(), firstMessage(m))
			}
			return err
		}
	}
}

func (s *Site) replaceFile(c *gin.Context, id uuid.UUID) (page, error) {
	ctx, sc := c.Request.Context(), request.Scope(c)
	it, err := s.d.Courses.GetItem(ctx, sc, id)
	if err != nil {
		return page{}, err
	}
	replaced := false
	err = eachFile(c, func(name string, body io.Reader) error {
		if replaced {
			_, _ = io.Copy(io.Discard, body)
			return nil
		}
		f, err := s.d.Files.Upload(ctx, sc, name, body)
		if err != nil {
			return err
		}
		replaced = true
		_, err = s.d.Courses.UpdateItem(ctx, sc, id, course.ItemPatch{FileID: &f.ID})
		return err
	})
	if err == nil && !replaced {
		err = errs.New(errs.ErrInvalid, "Choose the file that replaces this one.")
	}
	return s.builder(c, it.CourseID, "file-replaced"), err
}

// uploadImage stores one image for the editor and answers its address as
// JSON ({"src": …}); the page it goes in claims it when saved.
func (s *Site) uploadImage(c *gin.Context) (page, error) {
	ctx, sc := c.Request.Context(), request.Scope(c)
	var src string
	err := eachFile(c, func(name string, body io.Reader) error {
		if src != "" {
			_, _ = io.Copy(io.Discard, body)
			return nil
		}
		f, err := s.d.Files.Upload(ctx, sc, name, body)
		if err != nil {
			return err
		}
		if files.Family(f.ContentType) != "image" {
			return errs.Field("file", "is %s, not an image", f.ContentType)
		}
		src = course.ImagePath(sc.Tenant(), f.ID)
		return nil
	})
	if err == nil && src == "" {
		err = errs.New(errs.ErrInvalid, "Choose an image.")
	}
	if err != nil {
		return page{}, err
	}
	b, _ := json.Marshal(map[string]string{"src": src})
	return send(file{contentType: "application/json", body: b}), nil
}

// image sends the reader to a short-lived link to a page's image, once the
// course service has checked they may read the page.
func (s *Site) image(c *gin.Context, id uuid.UUID) (page, error) {
	l, err := s.d.Courses.ImageLink(c.Request.Context(), request.Scope(c), id)
	return goTo(l.URL), err
}
