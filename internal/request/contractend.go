package request

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/platform/localtime"
)

// afterContractEnd enforces the end of a school's contract: from its end
// date the tenant is closed to everyone but its admins (their own account
// routes included), and read-only for them, but for the routes that return
// the data (AfterEnd) and their own account's. It reports whether the
// request may go on.
func (k *Kernel) afterContractEnd(c *gin.Context, rt Route, tenantID uuid.UUID) bool {
	p := Principal(c)
	if p.Kind != identity.KindMember {
		return true
	}
	ctx := c.Request.Context()
	ct, err := k.Tenants.CurrentContract(ctx, tenantID)
	if err != nil {
		Fail(c, err)
		return false
	}
	if !ct.Ended(time.Now()) {
		return true
	}
	admin, err := k.Authz.IsAdmin(ctx, tenantID, p.ID)
	if err != nil {
		Fail(c, err)
		return false
	}
	if !admin {
		problem(c, http.StatusForbidden, "contract-ended", "Your school's contract with this service ended on "+localtime.CalendarDate(ct.EndsOn.Time)+
			". Only its administrators can still sign in, to take the school's data back.")
		return false
	}
	if rt.Area == AreaTenant && rt.Action != "read" && !rt.AfterEnd {
		problem(c, http.StatusConflict, "read-only", "Your school's contract ended on "+localtime.CalendarDate(ct.EndsOn.Time)+
			": its data can be read and exported, not changed.")
		return false
	}
	return true
}
