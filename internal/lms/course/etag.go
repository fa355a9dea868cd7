package course

// ETagBasis is what an opened item's ETag is computed from (the API's
// request.Versioned): the item without its download link, which is signed
// afresh on every read, so the tag changes with the item and its file
// (file_id) and not with each read.
func (v ItemView) ETagBasis() any { return v.Item }
