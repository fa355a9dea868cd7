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
)

// boundaryRoutes are legal access, the breach register, security signals
// and the processor's records.
func (s *Server) boundaryRoutes() []Route {
	return []Route{
		{Method: "POST", Path: pp + "/tenants/:id/legal-orders", Summary: "Record a legal obligation to read a tenant (operators); the tenant is told unless the order forbids it", Area: AreaPlatform, Object: "legal-order", Action: "write", Status: http.StatusCreated, Request: support.NewOrder{}, Reply: support.Order{}, Handler: s.recordOrder},
		{Method: "GET", Path: pp + "/legal-orders", Summary: "Recorded legal obligations, newest first", Area: AreaPlatform, Object: "legal-order", Action: "read", Reply: Page[support.Order]{}, Handler: s.orders},
		{Method: "POST", Path: pp + "/legal-orders/:id/confirm", Summary: "Confirm a recorded legal obligation (a second operator); only then can it be read under", Area: AreaPlatform, Object: "legal-order", Action: "write", Reply: support.Order{}, Handler: s.confirmOrder},
		{Method: "POST", Path: pp + "/legal-orders/:id/notice", Summary: "Give a deferred notice: the tenant sees the order and every read under it", Area: AreaPlatform, Object: "legal-order", Action: "write", Reply: support.Order{}, Handler: s.giveNotice},
		{Method: "POST", Path: pp + "/breaches", Summary: "Record a personal data breach and tell each affected tenant", Area: AreaPlatform, Object: "breach-register", Action: "write", Status: http.StatusCreated, Request: breach.NewBreach{}, Reply: breach.Breach{}, Handler: s.recordBreach},
		{Method: "GET", Path: pp + "/breaches", Summary: "The breach register", Area: AreaPlatform, Object: "breach-register", Action: "read", Reply: []breach.Breach{}, Handler: s.breaches},
		{Method: "GET", Path: pp + "/security-signals", Summary: "Security signals across tenants, as counts by kind (no personal data)", Area: AreaPlatform, Object: "security-figures", Action: "read", Reply: identity.SignalFigures{}, Handler: s.signalFigures},

		{Method: "GET", Path: tp + "/breaches", Summary: "Breaches that affect this tenant, with the 72-hour reporting clock", Area: AreaTenant, Object: "breach", Action: "read", Reply: []breach.Breach{}, Handler: s.tenantBreaches},
		{Method: "GET", Path: tp + "/security-events", Summary: "Recent security signals (failed sign-ins, tokens used from a new network)", Area: AreaTenant, Object: "security-event", Action: "read", Reply: []identity.SecurityEvent{}, Handler: s.securityEvents},
		{Method: "GET", Path: tp + "/processor-records", Summary: "The processor's record of processing for this tenant (?format=csv)", Area: AreaTenant, Object: "processor-records", Action: "read", Reply: records.Record{}, Handler: s.processorRecords},
	}
}

func (s *Server) recordOrder(c *gin.Context) {
	var in support.NewOrder
	id, ok := s.tenantParam(c, &in)
	if !ok {
		return
	}
	o, err := s.Support.RecordOrder(c.Request.Context(), principal(c).ID, id, in)
	reply(c, http.StatusCreated, o, err)
}

func (s *Server) orders(c *gin.Context) {
	after, limit, err := pageParams(c)
	if err != nil {
		fail(c, err)
		return
	}
	os, err := s.Support.Orders(c.Request.Context(), after, limit)
	reply(c, http.StatusOK, page(os, limit, func(o support.Order) uuid.UUID { return o.ID }), err)
}

func (s *Server) confirmOrder(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	o, err := s.Support.ConfirmOrder(c.Request.Context(), principal(c).ID, id)
	reply(c, http.StatusOK, o, err)
}

func (s *Server) giveNotice(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	o, err := s.Support.GiveNotice(c.Request.Context(), id)
	reply(c, http.StatusOK, o, err)
}

func (s *Server) recordBreach(c *gin.Context) {
	var in breach.NewBreach
	if err := bindJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	b, err := s.Breaches.Record(c.Request.Context(), principal(c).ID, in)
	reply(c, http.StatusCreated, b, err)
}

func (s *Server) breaches(c *gin.Context) {
	out, err := s.Breaches.List(c.Request.Context(), 200)
	reply(c, http.StatusOK, out, err)
}

func (s *Server) tenantBreaches(c *gin.Context) {
	out, err := s.Breaches.ForTenant(c.Request.Context(), scope(c))
	reply(c, http.StatusOK, out, err)
}

func (s *Server) securityEvents(c *gin.Context) {
	out, err := s.Identity.SecurityEvents(c.Request.Context(), scope(c), 100)
	reply(c, http.StatusOK, out, err)
}

func (s *Server) signalFigures(c *gin.Context) {
	f, err := s.Identity.SignalFigures(c.Request.Context(), time.Now())
	reply(c, http.StatusOK, f, err)
}

func (s *Server) processorRecords(c *gin.Context) {
	r, err := s.Records.For(c.Request.Context(), scope(c))
	if err != nil {
		fail(c, err)
		return
	}
	if c.Query("format") == "csv" {
		c.Header("Content-Type", "text/csv; charset=utf-8")
		c.Header("Content-Disposition", `attachment; filename="processor-records.csv"`)
		c.Status(http.StatusOK)
		_ = r.CSV(c.Writer)
		return
	}
	c.JSON(http.StatusOK, r)
}

// dataUseRoutes are data use agreements and the pseudonymised copies made
// under them.
func (s *Server) dataUseRoutes() []Route {
	return []Route{
		{Method: "GET", Path: tp + "/data-use-agreements", Summary: "The school's data use agreements", Area: AreaTenant, Object: "data-use", Action: "read", Reply: []datause.Agreement{}, Handler: s.agreements},
		{Method: "POST", Path: tp + "/data-use-agreements", Summary: "Sign a data use agreement (pseudonymised copies for development and testing)", Area: AreaTenant, Object: "data-use", Action: "write", Status: http.StatusCreated, Request: datause.NewAgreement{}, Reply: datause.Agreement{}, Handler: s.signAgreement},
		{Method: "POST", Path: tp + "/data-use-agreements/:agreement/withdraw", Summary: "Withdraw a data use agreement at once", Area: AreaTenant, Object: "data-use", Action: "write", Reply: datause.Agreement{}, Handler: s.withdrawAgreement},
		{Method: "POST", Path: pp + "/tenants/:id/extracts", Summary: "Queue a pseudonymised copy of a tenant (only under an agreement in force)", Area: AreaPlatform, Object: "data-extract", Action: "write", Status: http.StatusAccepted, Reply: datause.Extract{}, Handler: s.requestExtract},
		{Method: "GET", Path: pp + "/tenants/:id/extracts", Summary: "A tenant's pseudonymised copies and their progress", Area: AreaPlatform, Object: "data-extract", Action: "read", Reply: []datause.Extract{}, Handler: s.extracts},
	}
}

func (s *Server) agreements(c *gin.Context) {
	out, err := s.DataUse.List(c.Request.Context(), scope(c))
	reply(c, http.StatusOK, out, err)
}

func (s *Server) signAgreement(c *gin.Context) {
	var in datause.NewAgreement
	if err := bindJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	a, err := s.DataUse.Sign(c.Request.Context(), scope(c), in)
	reply(c, http.StatusCreated, a, err)
}

func (s *Server) withdrawAgreement(c *gin.Context) {
	id, err := pathID(c, "agreement")
	if err != nil {
		fail(c, err)
		return
	}
	a, err := s.DataUse.Withdraw(c.Request.Context(), scope(c), id)
	reply(c, http.StatusOK, a, err)
}

func (s *Server) requestExtract(c *gin.Context) {
	id, ok := s.tenantParam(c, nil)
	if !ok {
		return
	}
	e, err := s.DataUse.RequestExtract(c.Request.Context(), principal(c).ID, id)
	reply(c, http.StatusAccepted, e, err)
}

func (s *Server) extracts(c *gin.Context) {
	id, ok := s.tenantParam(c, nil)
	if !ok {
		return
	}
	out, err := s.DataUse.Extracts(c.Request.Context(), id)
	reply(c, http.StatusOK, out, err)
}
