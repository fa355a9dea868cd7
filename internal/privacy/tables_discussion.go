package privacy

// discussionTables declares the discussion area's tables.
var discussionTables = []Table{}
