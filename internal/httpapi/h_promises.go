package httpapi

import (
	"github.com/gin-gonic/gin"

	"github.com/schoolcloud/lms/internal/processor/lifecycle"
	"github.com/schoolcloud/lms/internal/processor/support"
	"github.com/schoolcloud/lms/internal/request"
)

// promiseRoutes are the processor's promises kept by the software, for
// operators: when a tenant's data is deleted and what keeps it, and which
// sub-processor each staff member works for.
func (s *Server) promiseRoutes() []request.Route {
	return []request.Route{
		{Method: "GET", Path: pp + "/tenants/:id/deletion/outlook",
			Summary: "When a tenant's data is deleted (the return window's last day) and what keeps it: legal holds, legal orders",
			Area:    request.AreaPlatform, Object: "tenant-deletion", Action: "read", Reply: lifecycle.Outlook{},
			API: s.deletionOutlook},
		{Method: "GET", Path: pp + "/staff",
			Summary: "Processor staff with the sub-processor each works for", Area: request.AreaPlatform,
			Object: "staff", Action: "read", Reply: request.Page[support.StaffMember]{}, API: s.staffList},
		{Method: "PUT", Path: pp + "/staff/:id/sub-processor",
			Summary: "Link a support staff member to the sub-processor they work for: schools that did not authorise it refuse them",
			Area:    request.AreaPlatform, Object: "staff", Action: "write", Request: support.StaffLink{},
			Reply: support.StaffMember{}, API: s.linkStaff},
		{Method: "DELETE", Path: pp + "/staff/:id/sub-processor",
			Summary: "Unlink a staff member from their sub-processor (the processor's own staff again)",
			Area:    request.AreaPlatform, Object: "staff", Action: "write", Reply: support.StaffMember{},
			API: request.StaffByID("id", s.Support.UnlinkStaff)},
	}
}

func (s *Server) deletionOutlook(c *gin.Context) (any, error) {
	id, err := request.PathID(c, "id")
	if err != nil {
		return nil, err
	}
	out, err := s.Lifecycle.OutlookOf(c.Request.Context(), id)
	if !s.may(c, "legal-order", "read") {
		out = out.WithoutOrders()
	}
	return out, err
}

func (s *Server) linkStaff(c *gin.Context) (any, error) {
	id, in, err := request.IDAndBody[support.StaffLink](c, "id")
	if err != nil {
		return nil, err
	}
	return s.Support.LinkStaff(c.Request.Context(), request.Principal(c).ID, id, in.SubProcessorID)
}
