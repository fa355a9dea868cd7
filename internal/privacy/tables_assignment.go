package privacy

// assignmentTables declares the assignment area's tables.
var assignmentTables = []Table{}
