// Package processor holds the platform's processor work: tenants and
// contracts (tenant), support access, sub-processors and the access log
// (support), and alerts to schools (alert).
//
// The boundary: processor code reaches a tenant's data only through an
// access.Scope it obtained from an approved support grant (access.Support),
// the contract's instruction (access.Contract) or the tenant's own settings
// (access.System), or through a member's scope handed in by the HTTP layer;
// and each grant or instruction that touches a tenant writes to the
// tenant's audit log. boundary_test.go checks this by reading the code.
package processor
