// Package cartridge moves a course's content in and out as an IMS Common
// Cartridge 1.3 package, the format Moodle, Canvas and Blackboard read and
// write: sections become the organization's folders, pages become HTML web
// content (with their images beside them), files stay files, links become
// web links. Nothing of a person travels: no enrolment, work, mark or post.
// What the format carries that this platform has no place for (tests,
// discussion topics, LTI links, assignments) is reported, not guessed at.
package cartridge

import (
	"archive/zip"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/lms/course"
	"github.com/schoolcloud/lms/internal/lms/files"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// Service exports and imports cartridges through the course service, so
// every rule of courses (who may, sanitising, images) applies unchanged.
type Service struct {
	db      *database.DB
	courses *course.Service
	files   *files.Service
}

// NewService builds the service.
func NewService(db *database.DB, courses *course.Service, fs *files.Service) *Service {
	return &Service{db: db, courses: courses, files: fs}
}

// Limits of one import: a cartridge is a teacher's upload, not a backup.
const (
	MaxEntries   = 5000
	MaxPageBytes = 200_000 // a page's HTML, as course.NewItem allows
)

// The resource types of Common Cartridge 1.1-1.3 this platform maps.
const (
	typeWebContent = "webcontent"
	typeWebLink    = "imswl_xmlv1p"
)

// manifest is the part of imsmanifest.xml read and written here.
type manifest struct {
	XMLName       xml.Name       `xml:"manifest"`
	Xmlns         string         `xml:"xmlns,attr,omitempty"`
	Identifier    string         `xml:"identifier,attr"`
	Metadata      *metadata      `xml:"metadata"`
	Organizations []organization `xml:"organizations>organization"`
	Resources     []resource     `xml:"resources>resource"`
}

type metadata struct {
	Schema        string `xml:"schema"`
	SchemaVersion string `xml:"schemaversion"`
}

type organization struct {
	Identifier string `xml:"identifier,attr"`
	Structure  string `xml:"structure,attr"`
	Items      []item `xml:"item"`
}

type item struct {
	Identifier    string `xml:"identifier,attr"`
	IdentifierRef string `xml:"identifierref,attr,omitempty"`
	Title         string `xml:"title,omitempty"`
	Items         []item `xml:"item"`
}

type resource struct {
	Identifier string    `xml:"identifier,attr"`
	Type       string    `xml:"type,attr"`
	Href       string    `xml:"href,attr,omitempty"`
	Files      []resFile `xml:"file"`
}

type resFile struct {
	Href string `xml:"href,attr"`
}

// webLink is a CC web link resource.
type webLink struct {
	XMLName xml.Name `xml:"webLink"`
	Xmlns   string   `xml:"xmlns,attr,omitempty"`
	Title   string   `xml:"title"`
	URL     struct {
		Href string `xml:"href,attr"`
	} `xml:"url"`
}

// Report says what an import made and what it left out, in plain words.
type Report struct {
	Sections int      `json:"sections"`
	Items    int      `json:"items"`
	Skipped  []string `json:"skipped"`
}

// Export writes the course as a cartridge to w, streaming each file from
// the store into the zip. Only the course's teachers and its school's
// admins may; learners' work and everything about people stay out.
func (s *Service) Export(ctx context.Context, sc access.Scope, courseID uuid.UUID, w io.Writer) (skipped []string, err error) {
	ok, err := s.courses.Teaches(ctx, sc, courseID)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errs.New(errs.ErrForbidden, "only the course's teachers export it")
	}
	pv, err := s.courses.Page(ctx, sc, courseID)
	if err != nil {
		return nil, err
	}
	zw := zip.NewWriter(w)
	m := manifest{Xmlns: "http://www.imsglobal.org/xsd/imsccv1p3/imscp_v1p1", Identifier: "M_" + courseID.String(),
		Metadata: &metadata{Schema: "IMS Common Cartridge", SchemaVersion: "1.3.0"}}
	root := item{Identifier: "root"}
	for _, sec := range pv.Sections {
		folder := item{Identifier: "S_" + sec.ID.String(), Title: sec.Title}
		for _, it := range sec.Items {
			res, err := s.exportItem(ctx, sc, zw, it)
			if err != nil {
				return nil, err
			}
			if res == nil {
				skipped = append(skipped, fmt.Sprintf("%s (%s)", it.Title, it.Kind))
				continue
			}
			m.Resources = append(m.Resources, *res)
			folder.Items = append(folder.Items, item{Identifier: "I_" + it.ID.String(), IdentifierRef: res.Identifier, Title: it.Title})
		}
		root.Items = append(root.Items, folder)
	}
	m.Organizations = []organization{{Identifier: "O_1", Structure: "rooted-hierarchy", Items: []item{root}}}
	mw, err := zw.Create("imsmanifest.xml")
	if err != nil {
		return nil, err
	}
	if _, err := io.WriteString(mw, xml.Header); err != nil {
		return nil, err
	}
	enc := xml.NewEncoder(mw)
	enc.Indent("", " ")
	if err := enc.Encode(m); err != nil {
		return nil, fmt.Errorf("cartridge: manifest: %w", err)
	}
	return skipped, zw.Close()
}

// imageRef finds a page's images (course.ImagePath) in its HTML.
var imageRef = regexp.MustCompile(`/t/[0-9a-f-]{36}/images/([0-9a-f-]{36})`)

// exportItem writes one item's resource; nil when the format has no place
// for it here (assignments).
func (s *Service) exportItem(ctx context.Context, sc access.Scope, zw *zip.Writer, it course.ItemSummary) (*resource, error) {
	id := "R_" + it.ID.String()
	switch it.Kind {
	case course.KindLink:
		href := "links/" + it.ID.String() + ".xml"
		l := webLink{Xmlns: "http://www.imsglobal.org/xsd/imsccv1p3/imswl_v1p3", Title: it.Title}
		if it.URL != nil {
			l.URL.Href = *it.URL
		}
		if err := writeXML(zw, href, l); err != nil {
			return nil, err
		}
		return &resource{Identifier: id, Type: typeWebLink + "3", Files: []resFile{{Href: href}}}, nil
	case course.KindPage:
		v, err := s.courses.GetItem(ctx, sc, it.ID)
		if err != nil {
			return nil, err
		}
		body := ""
		if v.BodyHTML != nil {
			body = *v.BodyHTML
		}
		res := &resource{Identifier: id, Type: typeWebContent}
		// Each image goes beside the page, and the page points at it there.
		for _, m := range imageRef.FindAllStringSubmatch(body, -1) {
			fid, err := uuid.Parse(m[1])
			if err != nil {
				continue
			}
			name := "pages/images/" + fid.String()
			if err := s.copyFile(ctx, sc, zw, fid, name); err != nil {
				return nil, err
			}
			body = strings.ReplaceAll(body, m[0], "images/"+fid.String())
			res.Files = append(res.Files, resFile{Href: name})
		}
		href := "pages/" + it.ID.String() + ".html"
		fw, err := zw.Create(href)
		if err != nil {
			return nil, err
		}
		if _, err := fmt.Fprintf(fw, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>%s</title></head>\n<body>%s</body></html>\n",
			xmlText(it.Title), body); err != nil {
			return nil, err
		}
		res.Href = href
		res.Files = append([]resFile{{Href: href}}, res.Files...)
		return res, nil
	case course.KindFile, course.KindVideo, course.KindAudio:
		if it.FileID == nil {
			return nil, nil
		}
		name, err := s.fileName(ctx, sc, *it.FileID)
		if err != nil {
			return nil, err
		}
		href := "files/" + it.ID.String() + "/" + name
		if err := s.copyFile(ctx, sc, zw, *it.FileID, href); err != nil {
			return nil, err
		}
		return &resource{Identifier: id, Type: typeWebContent, Href: href, Files: []resFile{{Href: href}}}, nil
	}
	return nil, nil
}

func xmlText(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

func writeXML(zw *zip.Writer, name string, v any) error {
	w, err := zw.Create(name)
	if err != nil {
		return err
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	return xml.NewEncoder(w).Encode(v)
}

// fileName is a stored file's name, safe as the last part of a zip path.
func (s *Service) fileName(ctx context.Context, sc access.Scope, id uuid.UUID) (string, error) {
	var name string
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		f, err := files.Get(tx, id)
		name = f.Name
		return err
	})
	name = strings.NewReplacer("/", "_", `\`, "_").Replace(name)
	if name == "" || name == "." || name == ".." {
		name = "file"
	}
	return name, err
}

// copyFile streams a stored file of the scope's tenant into the zip.
func (s *Service) copyFile(ctx context.Context, sc access.Scope, zw *zip.Writer, id uuid.UUID, name string) error {
	var f files.File
	var region string
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		var err error
		if f, err = files.Get(tx, id); err != nil {
			return err
		}
		region, err = files.Region(tx)
		return err
	})
	if err != nil {
		return err
	}
	r, err := s.files.Open(ctx, region, f)
	if err != nil {
		return err
	}
	defer r.Close()
	w, err := zw.Create(name)
	if err != nil {
		return err
	}
	_, err = io.Copy(w, r)
	return err
}

// Import adds a cartridge's content to the end of a course: a section for
// each folder of its organization (loose items go in a section named after
// the cartridge), pages, files and links as items shown to learners only
// when the teacher shows them (imported items start hidden).
func (s *Service) Import(ctx context.Context, sc access.Scope, courseID uuid.UUID, zr *zip.Reader) (Report, error) {
	rep := Report{Skipped: []string{}}
	ok, err := s.courses.Teaches(ctx, sc, courseID)
	if err != nil {
		return rep, err
	}
	if !ok {
		return rep, errs.New(errs.ErrForbidden, "only the course's teachers import into it")
	}
	if len(zr.File) > MaxEntries {
		return rep, errs.Field("file", "holds more than %d files: split the cartridge", MaxEntries)
	}
	byName := map[string]*zip.File{}
	for _, f := range zr.File {
		byName[path.Clean(f.Name)] = f
	}
	mf := byName["imsmanifest.xml"]
	if mf == nil {
		return rep, errs.Field("file", "is not a Common Cartridge: it has no imsmanifest.xml")
	}
	var m manifest
	if err := readXML(mf, &m); err != nil {
		return rep, errs.Field("file", "has an imsmanifest.xml that cannot be read: %v", err)
	}
	resources := map[string]resource{}
	for _, r := range m.Resources {
		resources[r.Identifier] = r
	}
	var top []item
	for _, o := range m.Organizations {
		for _, root := range o.Items {
			top = append(top, root.Items...)
		}
	}
	imp := importer{s: s, ctx: ctx, sc: sc, course: courseID, byName: byName, resources: resources, rep: &rep}
	var loose []item
	for _, it := range top {
		if it.IdentifierRef != "" {
			loose = append(loose, it)
			continue
		}
		if err := imp.section(it.Title, flatten(it.Items)); err != nil {
			return rep, err
		}
	}
	if len(loose) > 0 {
		if err := imp.section("Imported", loose); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// flatten lists the items with content under a folder, in order, deeper
// folders included (this platform has one level of sections).
func flatten(items []item) []item {
	var out []item
	for _, it := range items {
		if it.IdentifierRef != "" {
			out = append(out, it)
		}
		out = append(out, flatten(it.Items)...)
	}
	return out
}

type importer struct {
	s         *Service
	ctx       context.Context
	sc        access.Scope
	course    uuid.UUID
	byName    map[string]*zip.File
	resources map[string]resource
	rep       *Report
}

func (im importer) section(title string, items []item) error {
	title = strings.TrimSpace(title)
	if title == "" {
		title = "Imported"
	}
	if len([]rune(title)) > 200 {
		title = string([]rune(title)[:200])
	}
	sec, err := im.s.courses.AddSection(im.ctx, im.sc, im.course, course.NewSection{Title: title})
	if err != nil {
		return err
	}
	im.rep.Sections++
	for _, it := range items {
		why, err := im.item(sec.ID, it)
		if err != nil {
			return err
		}
		if why != "" {
			im.rep.Skipped = append(im.rep.Skipped, fmt.Sprintf("%s: %s", strings.TrimSpace(it.Title), why))
			continue
		}
		im.rep.Items++
	}
	return nil
}

// item imports one resource; why says what was left out and why.
func (im importer) item(section uuid.UUID, it item) (why string, err error) {
	res, ok := im.resources[it.IdentifierRef]
	if !ok {
		return "its resource is missing from the manifest", nil
	}
	title := strings.TrimSpace(it.Title)
	if title == "" {
		title = "Untitled"
	}
	if len([]rune(title)) > 200 {
		title = string([]rune(title)[:200])
	}
	hidden := false
	add := func(in course.NewItem) (string, error) {
		in.SectionID, in.Title, in.Published = section, title, &hidden
		_, err := im.s.courses.AddItem(im.ctx, im.sc, im.course, in)
		if why := refusal(err); why != "" {
			return "refused: " + why, nil
		}
		return "", err
	}
	switch {
	case strings.HasPrefix(res.Type, typeWebLink):
		if len(res.Files) == 0 {
			return "the web link has no file", nil
		}
		var l webLink
		f := im.byName[path.Clean(res.Files[0].Href)]
		if f == nil || readXML(f, &l) != nil {
			return "the web link cannot be read", nil
		}
		u := strings.TrimSpace(l.URL.Href)
		return add(course.NewItem{Kind: course.KindLink, URL: &u})
	case res.Type == typeWebContent:
		href := res.Href
		if href == "" && len(res.Files) > 0 {
			href = res.Files[0].Href
		}
		f := im.byName[path.Clean(href)]
		if f == nil {
			return "its file is missing from the package", nil
		}
		if ext := strings.ToLower(path.Ext(href)); ext == ".html" || ext == ".htm" {
			body, why, err := im.page(f, href)
			if why != "" || err != nil {
				return why, err
			}
			return add(course.NewItem{Kind: course.KindPage, BodyHTML: &body})
		}
		stored, why, err := im.upload(f)
		if why != "" || err != nil {
			return why, err
		}
		kind := course.KindFile
		switch files.Family(stored.ContentType) {
		case "video":
			kind = course.KindVideo
		case "audio":
			kind = course.KindAudio
		}
		return add(course.NewItem{Kind: kind, FileID: &stored.ID})
	}
	return "this platform has nowhere to put a " + friendlyType(res.Type), nil
}

// friendlyType names a Common Cartridge resource type in words.
func friendlyType(t string) string {
	switch {
	case strings.HasPrefix(t, "imsqti"), strings.Contains(t, "assessment"):
		return "test or question bank (set quizzes from the question bank instead)"
	case strings.HasPrefix(t, "imsdt"):
		return "discussion topic"
	case strings.HasPrefix(t, "imsbasiclti"):
		return "LTI tool link"
	case strings.Contains(t, "assignment"):
		return "assignment (set it from the course page)"
	}
	return "resource of type " + t
}

var srcAttr = regexp.MustCompile(`(?i)(src)="([^"]+)"`)
var bodyPart = regexp.MustCompile(`(?is)<body[^>]*>(.*)</body>`)

// page reads an HTML resource: its body, with images it holds in the
// package uploaded and pointed at; other references are left as they are
// (the sanitiser decides what stays).
func (im importer) page(f *zip.File, href string) (string, string, error) {
	if f.UncompressedSize64 > MaxPageBytes*4 {
		return "", "the page is larger than a page may be", nil
	}
	rc, err := f.Open()
	if err != nil {
		return "", "the page cannot be read", nil
	}
	b, err := io.ReadAll(io.LimitReader(rc, MaxPageBytes*4+1))
	rc.Close()
	if err != nil {
		return "", "the page cannot be read", nil
	}
	html := string(b)
	if m := bodyPart.FindStringSubmatch(html); m != nil {
		html = m[1]
	}
	var failed error
	html = srcAttr.ReplaceAllStringFunc(html, func(attr string) string {
		m := srcAttr.FindStringSubmatch(attr)
		ref := m[2]
		if strings.Contains(ref, ":") || strings.HasPrefix(ref, "/") {
			return attr
		}
		ref = strings.ReplaceAll(ref, "$IMS-CC-FILEBASE$/", "")
		img := im.byName[path.Clean(path.Join(path.Dir(href), ref))]
		if img == nil {
			img = im.byName[path.Clean(ref)]
		}
		if img == nil {
			return attr
		}
		stored, why, err := im.upload(img)
		if err != nil {
			failed = err
			return attr
		}
		if why != "" || files.Family(stored.ContentType) != "image" {
			return attr
		}
		return `src="` + course.ImagePath(im.sc.Tenant(), stored.ID) + `"`
	})
	if failed != nil {
		return "", "", failed
	}
	if len(html) > MaxPageBytes {
		return "", "the page is longer than a page may be (200,000 characters)", nil
	}
	return html, "", nil
}

// upload stores one file of the package as the importing teacher's upload
// (the tenant's size limit and content checks apply).
func (im importer) upload(f *zip.File) (files.File, string, error) {
	rc, err := f.Open()
	if err != nil {
		return files.File{}, "the file cannot be read", nil
	}
	defer rc.Close()
	stored, err := im.s.files.Upload(im.ctx, im.sc, path.Base(f.Name), rc)
	if why := refusal(err); why != "" {
		return stored, "the file was refused: " + why, nil
	}
	return stored, "", err
}

// refusal is what a field error says, for the report; "" for any other
// outcome (which the import returns as it is).
func refusal(err error) string {
	var fe errs.FieldErrors
	if errors.As(err, &fe) {
		return fe.Error()
	}
	return ""
}

func readXML(f *zip.File, v any) error {
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	return xml.NewDecoder(io.LimitReader(rc, 10<<20)).Decode(v)
}
