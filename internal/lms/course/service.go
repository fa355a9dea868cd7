package course

import (
	"github.com/schoolcloud/lms/internal/lms/files"
	"github.com/schoolcloud/lms/internal/platform/database"
)

// Service manages courses, their content, enrolments and groups.
type Service struct {
	db    *database.DB
	files *files.Service
}

// NewService builds the service.
func NewService(db *database.DB, fs *files.Service) *Service { return &Service{db: db, files: fs} }
