// Package engagement TODO.
package engagement

import "github.com/schoolcloud/lms/internal/platform/database"

// Service is the engagement service.
type Service struct{ db *database.DB }

// NewService builds the service.
func NewService(db *database.DB) *Service { return &Service{db: db} }
