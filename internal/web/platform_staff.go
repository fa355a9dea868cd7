package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/processor/support"
	"github.com/schoolcloud/lms/internal/request"
)

// staffPages are the operators' list of the processor's staff, where a
// support staff member is linked to the sub-processor they work for (or
// unlinked): a linked person is refused by every school that did not
// authorise their sub-processor.
func (s *Site) staffPages() []request.Route {
	return []request.Route{
		{Method: "GET", Path: "/platform/staff",
			Summary: "Processor staff and the sub-processor each works for", Area: request.AreaPlatform,
			Object: "staff", Action: "read", Handler: s.serve(s.staffPage)},
		{Method: "POST", Path: "/platform/staff/:id/sub-processor",
			Summary: "Link a support staff member to a sub-processor, or unlink them",
			Area:    request.AreaPlatform, Object: "staff", Action: "write",
			Handler: s.serve(withID("id", "There is no such staff member.", s.setStaffSubProcessor))},
	}
}

type staffData struct {
	Staff    []staffRow
	InUse    bool // any sub-processor in use to link to
	CanWrite bool
}

// staffRow is one staff member with the choices of their form: this
// processor, every sub-processor in use, and the one they are linked to
// even if it was retired since (so the form shows the truth).
type staffRow struct {
	support.StaffMember
	Options []staffOption
}

type staffOption struct {
	ID, Name string
	Selected bool
}

func (s *Site) staffPage(c *gin.Context) (page, error) { return s.showStaff(c, http.StatusOK, view{}) }

// showStaff is the staff page with status; v carries a form's error when
// one comes back with a problem.
func (s *Site) showStaff(c *gin.Context, status int, v view) (page, error) {
	ctx := c.Request.Context()
	d := staffData{CanWrite: s.allowed(c, request.Principal(c), "staff", "write")}
	staff, err := s.d.Support.Staff(ctx)
	if err != nil {
		return page{}, err
	}
	all, err := s.d.Support.SubProcessors(ctx, nil)
	if err != nil {
		return page{}, err
	}
	for _, m := range staff {
		row := staffRow{StaffMember: m, Options: []staffOption{{Name: "This processor", Selected: m.SubProcessorID == nil}}}
		for _, sp := range all {
			linked := m.SubProcessorID != nil && *m.SubProcessorID == sp.ID
			if sp.RetiredAt != nil && !linked {
				continue
			}
			name := sp.Name
			if sp.RetiredAt != nil {
				name += " (no longer in use)"
			}
			row.Options = append(row.Options, staffOption{ID: sp.ID.String(), Name: name, Selected: linked})
		}
		d.Staff = append(d.Staff, row)
	}
	for _, sp := range all {
		d.InUse = d.InUse || sp.RetiredAt == nil
	}
	v.Title, v.Data = "Staff", d
	return page{status: status, name: "platform_staff", view: v}, nil
}

// setStaffSubProcessor links the staff member to the chosen sub-processor,
// or unlinks them when "this processor" is chosen.
func (s *Site) setStaffSubProcessor(c *gin.Context, id uuid.UUID) (page, error) {
	ctx, op := c.Request.Context(), request.Principal(c).ID
	field := "sp-" + id.String()
	var err error
	done := "staff-unlinked"
	if choice := c.PostForm("sub_processor"); choice == "" {
		_, err = s.d.Support.UnlinkStaff(ctx, op, id)
	} else if sp, perr := uuid.Parse(choice); perr != nil {
		return s.showStaff(c, http.StatusBadRequest, view{Errors: map[string]string{field: "Choose a sub-processor from the list"}, Fields: []string{field}})
	} else {
		done = "staff-linked"
		_, err = s.d.Support.LinkStaff(ctx, op, id, sp)
	}
	if fe, isField := formErrors(err); isField {
		msg := fe["sub_processor_id"]
		if msg == "" {
			msg = fe["staff"]
		}
		return s.showStaff(c, http.StatusBadRequest, view{Errors: map[string]string{field: "The sub-processor " + msg}, Fields: []string{field}})
	} else if err != nil {
		return page{}, err
	}
	return goTo("/platform/staff?done=" + done), nil
}
