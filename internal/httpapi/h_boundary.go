package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/processor/breach"
	"github.com/schoolcloud/lms/internal/processor/datause"
	"github.com/schoolcloud/lms/internal/processor/records"
	"github.com/schoolcloud/lms/internal/processor/support"
	"github.com/schoolcloud/lms/internal/request"
)

// boundaryRoutes are legal access, the breach register, security signals
// and the processor's records.
func (s *Server) boundaryRoutes() []request.Route {
	return []request.Route{
		{Method: "POST", Path: pp + "/tenants/:id/legal-orders",
			Summary: "Record a legal obligation to read a tenant (operators); the tenant is told unless the order forbids it",
			Area:    request.AreaPlatform, Object: "legal-order", Action: "write", Status: http.StatusCreated,
			Request: support.NewOrder{}, Reply: support.Order{}, API: s.recordOrder},
		{Method: "GET", Path: pp + "/legal-orders", Summary: "Recorded legal obligations, newest first",
			Area: request.AreaPlatform, Object: "legal-order", Action: "read",
			Reply: request.Page[support.Order]{}, API: s.orders},
		{Method: "POST", Path: pp + "/legal-orders/:id/confirm",
			Summary: "Confirm a recorded legal obligation (a second operator); only then can it be read under",
			Area:    request.AreaPlatform, Object: "legal-order", Action: "write", Reply: support.Order{},
			API: request.StaffByID("id", s.Support.ConfirmOrder)},
		{Method: "POST", Path: pp + "/legal-orders/:id/notice",
			Summary: "Give a deferred notice: the tenant sees the order and every read under it",
			Area:    request.AreaPlatform, Object: "legal-order", Action: "write", Reply: support.Order{},
			API: request.OnlyID("id", s.Support.GiveNotice)},
		{Method: "POST", Path: pp + "/breaches",
			Summary: "Record a personal data breach and tell each affected tenant", Area: request.AreaPlatform,
			Object: "breach-register", Action: "write", Status: http.StatusCreated,
			Request: breach.NewBreach{}, Reply: breach.Breach{}, API: s.recordBreach},
		{Method: "GET", Path: pp + "/breaches", Summary: "The breach register", Area: request.AreaPlatform,
			Object: "breach-register", Action: "read", Reply: request.Page[breach.Breach]{}, API: s.breaches},
		{Method: "GET", Path: pp + "/security-signals",
			Summary: "Security signals across tenants, as counts by kind (no personal data)",
			Area:    request.AreaPlatform, Object: "security-figures", Action: "read",
			Reply: identity.SignalFigures{}, API: s.signalFigures},

		{Method: "GET", Path: tp + "/breaches",
			Summary: "Breaches that affect this tenant, with the 72-hour reporting clock",
			Area:    request.AreaTenant, Object: "breach", Action: "read", Reply: request.Page[breach.Breach]{},
			API: request.WholeScoped(breachAt, s.Breaches.ForTenant)},
		{Method: "GET", Path: tp + "/security-events",
			Summary: "Recent security signals (failed sign-ins, tokens used from a new network)",
			Area:    request.AreaTenant, Object: "security-event", Action: "read",
			Reply: request.Page[identity.SecurityEvent]{},
			API:   request.PagedScoped(identity.SecurityEvent.At, s.Identity.SecurityEvents)},
		{Method: "GET", Path: tp + "/processor-records",
			Summary: "The processor's record of processing for this tenant (?format=csv)",
			Area:    request.AreaTenant, Object: "processor-records", Action: "read", Reply: records.Record{},
			Query: FormatQuery{}, API: s.processorRecords},
	}
}

func (s *Server) recordOrder(c *gin.Context) (any, error) {
	var in support.NewOrder
	id, err := s.tenantParam(c, &in)
	if err != nil {
		return nil, err
	}
	return s.Support.RecordOrder(c.Request.Context(), request.Principal(c).ID, id, in)
}

func (s *Server) orders(c *gin.Context) (any, error) {
	return request.Listed(c, func(o support.Order) uuid.UUID { return o.ID }, func(after uuid.UUID, limit int) ([]support.Order, error) {
		return s.Support.Orders(c.Request.Context(), after, limit)
	})
}

func (s *Server) recordBreach(c *gin.Context) (any, error) {
	var in breach.NewBreach
	if err := request.BindJSON(c, &in); err != nil {
		return nil, err
	}
	return s.Breaches.Record(c.Request.Context(), request.Principal(c).ID, in)
}

func (s *Server) signalFigures(c *gin.Context) (any, error) {
	return s.Identity.SignalFigures(c.Request.Context(), time.Now())
}

func (s *Server) processorRecords(c *gin.Context) (any, error) {
	r, err := s.Records.For(c.Request.Context(), request.Scope(c))
	if err != nil {
		return nil, err
	}
	if c.Query("format") == "csv" {
		return request.Stream{Name: "processor-records.csv", Type: request.CSVType, Body: r.CSV}, nil
	}
	return r, nil
}

// dataUseRoutes are data use agreements and the pseudonymised copies made
// under them.
func (s *Server) dataUseRoutes() []request.Route {
	return []request.Route{
		{Method: "GET", Path: tp + "/data-use-agreements", Summary: "The school's data use agreements",
			Area: request.AreaTenant, Object: "data-use", Action: "read", Reply: request.Page[datause.Agreement]{},
			API: request.WholeScoped(agreementAt, s.DataUse.List)},
		{Method: "POST", Path: tp + "/data-use-agreements",
			Summary: "Sign a data use agreement (pseudonymised copies for development and testing)",
			Area:    request.AreaTenant, Object: "data-use", Action: "write", Status: http.StatusCreated,
			Request: datause.NewAgreement{}, Reply: datause.Agreement{}, API: request.FromBody(s.DataUse.Sign)},
		{Method: "POST", Path: tp + "/data-use-agreements/:agreement/withdraw",
			Summary: "Withdraw a data use agreement at once", Area: request.AreaTenant, Object: "data-use",
			Action: "write", Reply: datause.Agreement{}, API: request.ByID("agreement", s.DataUse.Withdraw)},
		{Method: "POST", Path: pp + "/tenants/:id/extracts",
			Summary: "Queue a pseudonymised copy of a tenant (only under an agreement in force)",
			Area:    request.AreaPlatform, Object: "data-extract", Action: "write", Status: http.StatusAccepted,
			Reply: datause.Extract{}, API: s.requestExtract},
		{Method: "GET", Path: pp + "/tenants/:id/extracts",
			Summary: "A tenant's pseudonymised copies and their progress", Area: request.AreaPlatform,
			Object: "data-extract", Action: "read", Reply: request.Page[datause.Extract]{}, API: s.extracts},
	}
}

func (s *Server) requestExtract(c *gin.Context) (any, error) {
	id, err := s.tenantParam(c, nil)
	if err != nil {
		return nil, err
	}
	return s.DataUse.RequestExtract(c.Request.Context(), request.Principal(c).ID, id)
}
