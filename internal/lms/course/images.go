package course

import (
	"context"
	"fmt"
	"regexp"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/lms/files"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// ImagePath is where a page's image is read: the editor puts it in the
// image's src after uploading it (POST /files), and the page route answers
// with a short-lived link once it has checked the reader may see the page.
// The tenant is named by id, so a page keeps its images if the school's
// sign-in name changes.
func ImagePath(tenant, file uuid.UUID) string {
	return "/t/" + tenant.String() + "/images/" + file.String()
}

var imageSrc = regexp.MustCompile(`src="/t/([0-9a-f-]{36})/images/([0-9a-f-]{36})"`)

// imagesIn are the files a sanitised page body shows from this tenant.
func imagesIn(tenant uuid.UUID, body string) []uuid.UUID {
	var ids []uuid.UUID
	seen := map[uuid.UUID]bool{}
	for _, m := range imageSrc.FindAllStringSubmatch(body, -1) {
		t, err1 := uuid.Parse(m[1])
		id, err2 := uuid.Parse(m[2])
		if err1 == nil && err2 == nil && t == tenant && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	return ids
}

// syncImages makes a page's item_images what its body shows: images new to
// the page are claimed (they must be images the actor uploaded and nothing
// holds yet); images taken out of it are deleted with their files.
func syncImages(tx *gorm.DB, sc access.Scope, item uuid.UUID, body string) error {
	want := imagesIn(sc.Tenant(), body)
	var have []uuid.UUID
	if err := tx.Table("item_images").Where("item_id = ?", item).Pluck("file_id", &have).Error; err != nil {
		return fmt.Errorf("course: page images: %w", err)
	}
	held := map[uuid.UUID]bool{}
	for _, id := range have {
		held[id] = true
	}
	for _, id := range want {
		if held[id] {
			delete(held, id)
			continue
		}
		f, err := files.Claim(tx, sc, id, files.ForContent)
		if err != nil {
			return errs.Field("body_html", "shows an image that is not one you uploaded for this page: upload it again")
		}
		if files.Family(f.ContentType) != "image" {
			return errs.Field("body_html", "shows %s as an image, but it is %s", f.Name, f.ContentType)
		}
		if err := tx.Exec(`INSERT INTO item_images (tenant_id, item_id, file_id) VALUES (app_tenant_id(), ?, ?)`, item, id).Error; err != nil {
			return fmt.Errorf("course: page image: %w", err)
		}
	}
	var gone []uuid.UUID
	for id := range held {
		gone = append(gone, id)
	}
	if len(gone) == 0 {
		return nil
	}
	if err := tx.Exec(`DELETE FROM item_images WHERE item_id = ? AND file_id IN ?`, item, gone).Error; err != nil {
		return fmt.Errorf("course: drop page images: %w", err)
	}
	return files.Discard(tx, gone...)
}

// ImageLink is a short-lived link to an image of a page, for whoever may
// read the page (learners: once it is shown to them). The teacher who just
// uploaded it, before the page is saved, may see their own upload.
func (s *Service) ImageLink(ctx context.Context, sc access.Scope, id uuid.UUID) (files.Link, error) {
	var f files.File
	var region string
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		var held struct{ ItemID uuid.UUID }
		res := tx.Raw(`SELECT item_id FROM item_images WHERE file_id = ?`, id).Scan(&held)
		if res.Error != nil {
			return fmt.Errorf("course: image %s: %w", id, res.Error)
		}
		var err error
		if f, err = files.Get(tx, id); err != nil {
			return err
		}
		if res.RowsAffected > 0 {
			_, _, err = itemRel(tx, sc, held.ItemID)
		} else if f.UploadedBy == nil || *f.UploadedBy != sc.Actor().ID || f.AttachedTo != nil {
			err = errs.New(errs.ErrNotFound, "image %s", id)
		}
		if err == nil && files.Family(f.ContentType) != "image" {
			err = errs.New(errs.ErrNotFound, "image %s", id)
		}
		if err != nil {
			return err
		}
		region, err = files.Region(tx)
		return err
	})
	if err != nil {
		return files.Link{}, err
	}
	return s.files.Link(ctx, sc, region, f)
}

// pageImages are the files of the pages among items, for dropItems.
func pageImages(tx *gorm.DB, items []uuid.UUID) ([]uuid.UUID, error) {
	var ids []uuid.UUID
	err := tx.Table("item_images").Where("item_id IN ?", items).Pluck("file_id", &ids).Error
	if err != nil {
		return nil, fmt.Errorf("course: page images: %w", err)
	}
	return ids, nil
}
