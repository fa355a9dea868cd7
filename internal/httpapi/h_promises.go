package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/schoolcloud/lms/internal/processor/lifecycle"
	"github.com/schoolcloud/lms/internal/processor/support"
)

// promiseRoutes are the processor's promises kept by the software, for
// operators: when a tenant's data is deleted and what keeps it, and which
// sub-processor each staff member works for.
func (s *Server) promiseRoutes() []Route {
	return []Route{
		{Method: "GET", Path: pp + "/tenants/:id/deletion/outlook", Summary: "When a tenant's data is deleted (the return window's last day) and what keeps it: legal holds, legal orders", Area: AreaPlatform, Object: "tenant-deletion", Action: "read", Reply: lifecycle.Outlook{}, Handler: s.deletionOutlook},
		{Method: "GET", Path: pp + "/staff", Summary: "Processor staff with the sub-processor each works for", Area: AreaPlatform, Object: "staff", Action: "read", Reply: []support.StaffMember{}, Handler: s.staffList},
		{Method: "PUT", Path: pp + "/staff/:id/sub-processor", Summary: "Link a support staff member to the sub-processor they work for: schools that did not authorise it refuse them", Area: AreaPlatform, Object: "staff", Action: "write", Request: support.StaffLink{}, Reply: support.StaffMember{}, Handler: s.linkStaff},
		{Method: "DELETE", Path: pp + "/staff/:id/sub-processor", Summary: "Unlink a staff member from their sub-processor (the processor's own staff again)", Area: AreaPlatform, Object: "staff", Action: "write", Reply: support.StaffMember{}, Handler: s.unlinkStaff},
	}
}

func (s *Server) deletionOutlook(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	out, err := s.Lifecycle.OutlookOf(c.Request.Context(), id)
	if !s.may(c, "legal-order", "read") {
		out = out.WithoutOrders()
	}
	reply(c, http.StatusOK, out, err)
}

func (s *Server) staffList(c *gin.Context) {
	out, err := s.Support.Staff(c.Request.Context())
	reply(c, http.StatusOK, out, err)
}

func (s *Server) linkStaff(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	var in support.StaffLink
	if err := bindJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	out, err := s.Support.LinkStaff(c.Request.Context(), principal(c).ID, id, in.SubProcessorID)
	reply(c, http.StatusOK, out, err)
}

func (s *Server) unlinkStaff(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	out, err := s.Support.UnlinkStaff(c.Request.Context(), principal(c).ID, id)
	reply(c, http.StatusOK, out, err)
}
