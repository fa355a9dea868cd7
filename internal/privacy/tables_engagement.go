package privacy

// engagementTables declares the engagement area's tables.
var engagementTables = []Table{}
