// Package assignment holds assignments, learners' special arrangements
// (extra time), submissions, and marks and feedback.
package assignment

import (
	"github.com/schoolcloud/lms/internal/lms/files"
	"github.com/schoolcloud/lms/internal/platform/database"
)

// Service is the assignments service.
type Service struct {
	db    *database.DB
	files *files.Service
}

// NewService builds the service.
func NewService(db *database.DB, fs *files.Service) *Service { return &Service{db: db, files: fs} }
